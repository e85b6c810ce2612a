import 'reflect-metadata';
import { join } from 'node:path';
import { createContextFunction } from '../src/auth/context';
import { createGraphQL } from '../src/composition/graphql';
import { createInfrastructure } from '../src/composition/infrastructure';
import { createServices, type AppConfig } from '../src/composition/services';
import { loadConfig } from '../src/config/load-config';
import { requestScope } from '../src/observability/request-scope';
import { GATEWAY_VALIDATION_RULES } from '../src/server/apollo-server';
import { createTrustedFastPath } from '../src/server/trusted-documents/fast-path';
import { loadTrustedDocuments } from '../src/server/trusted-documents/manifest';
import { prepareTrustedDocuments } from '../src/server/trusted-documents/prepared-documents';
import { gatewayEnv, median, signBearers, startBenchEmulator, stop, TRUSTED_MUTATION } from './lib';

/**
 * The CPU of the trusted-documents fast path alone, in this process, without HTTP: a cached mint's
 * context, execution (resolver, rate limits, token cache), error formatting and metrics, as
 * `answer()` does them for a request. What a request costs beyond this is the HTTP layer.
 * Usage: taskset -c 0 node --import tsx bench/trusted-fast-path.ts [--calls 50000]
 */
const calls = Number(process.argv[process.argv.indexOf('--calls') + 1]) || 50_000;

async function main(): Promise<void> {
  const emulator = await startBenchEmulator(1);
  const [authorization] = await signBearers(1);
  const config = loadConfig({ ...gatewayEnv(emulator.url), LOG_LEVEL: 'info' });
  if (config.cobalt.kind !== 'remote') throw new Error('the bench needs the emulator as Cobalt');
  const appConfig: AppConfig = { ...config, cobalt: config.cobalt };
  const infra = createInfrastructure(appConfig);
  const services = createServices(infra, appConfig);
  const graphql = createGraphQL(services, { log: infra.log, metrics: infra.metrics, introspection: false });
  const createContext = createContextFunction({ verifier: services.verifier, log: infra.log });
  const manifest = loadTrustedDocuments(join(__dirname, '../client/generated/persisted-documents.json'));
  const documents = prepareTrustedDocuments(manifest, {
    schema: graphql.schema,
    rules: GATEWAY_VALIDATION_RULES,
    introspection: false,
  });
  const fastPath = createTrustedFastPath({ ...graphql, createContext, documents });
  const body = JSON.parse(TRUSTED_MUTATION) as unknown;
  const context = { requestId: 'bench', authorization, clientIp: '127.0.0.1' };
  const answer = () =>
    requestScope.run({ requestId: 'bench' }, () => {
      const pending = fastPath.answer({ body, accept: undefined, context });
      if (pending === undefined) throw new Error('the mint did not take the fast path');
      return pending;
    });
  const first = await answer();
  if (first.status !== 200 || !first.body.includes('"token"')) throw new Error(`mint failed: ${first.body}`);

  const rounds: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    const before = process.cpuUsage();
    for (let i = 0; i < calls; i += 1) await answer();
    const used = process.cpuUsage(before);
    rounds.push((used.user + used.system) / calls);
  }
  process.stdout.write(
    `trusted fast path, cached mint, no HTTP: ${median(rounds.slice(1)).toFixed(1)} µs CPU per call ` +
      `(median of rounds 2-5 of ${calls} calls)\n`,
  );
  await services.close();
  await infra.close();
  await stop(emulator.child);
}

void main();
