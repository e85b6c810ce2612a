import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createApp, type AppConfig } from './app';
import { DEV_LINKED_ACCOUNT_ID, generateDevSecret, signDevToken } from './auth/dev-token';
import { startCobaltEmulator, type CobaltEmulator } from './cobalt/emulator/cobalt-emulator';
import { ConfigError, loadConfig, type Config } from './config/load-config';
import { Secret } from './config/secret';
import { startTracing } from './composition/tracing';

/* eslint-disable no-console, no-restricted-properties -- the entry point prints the banner and fatal
   messages, and hands process.env to loadConfig. */

interface Embedded {
  readonly emulator?: CobaltEmulator;
  readonly devSecret?: Uint8Array;
}

/** The embedded default: no Cobalt key outside production → the bundled emulator; no auth → a dev secret. */
async function resolveEmbedded(config: Config): Promise<{ appConfig: AppConfig; embedded: Embedded }> {
  let emulator: CobaltEmulator | undefined;
  let cobalt: AppConfig['cobalt'];
  if (config.cobalt.kind === 'embedded-emulator') {
    const apiKey = `tk_emulator_${randomBytes(12).toString('hex')}`;
    emulator = await startCobaltEmulator({
      apiKeys: { [apiKey]: { orgId: randomBytes(12).toString('hex'), environment: 'test' } },
      seedAccounts: [{ accountId: DEV_LINKED_ACCOUNT_ID, name: 'Demo user' }],
    });
    cobalt = { ...config.cobalt, kind: 'remote', baseUrl: emulator.url, apiKey: new Secret(apiKey) };
  } else {
    cobalt = config.cobalt;
  }
  const devSecret = config.auth.kind === 'dev-generated' ? generateDevSecret() : undefined;
  return {
    appConfig: { ...config, cobalt },
    embedded: { ...(emulator !== undefined && { emulator }), ...(devSecret !== undefined && { devSecret }) },
  };
}

function printBanner(
  { url, probesUrl }: { url: string; probesUrl?: string | undefined },
  config: Config,
  embedded: Embedded,
  devBearerToken: string | undefined,
): void {
  const lines = ['', `cobalt-gateway is ready (${config.nodeEnv})`, `  GraphQL      ${url}`];
  if (config.graphql.playground) lines.push(`  Playground   ${url}  (open in a browser; works offline)`);
  lines.push(`  Health       ${probesUrl ?? url.replace(/\/graphql$/, '')}/healthz`);
  lines.push(
    embedded.emulator !== undefined
      ? `  Cobalt       embedded emulator at ${embedded.emulator.url} (set COBALT_API_KEY for the real one)`
      : `  Cobalt       ${config.cobalt.kind === 'remote' ? config.cobalt.baseUrl : ''}`,
  );
  if (devBearerToken !== undefined) {
    const token = devBearerToken;
    const body = JSON.stringify({ query: 'mutation { createSessionToken { token expiresAt linkedAccountId } }' });
    lines.push(
      '',
      `  Dev bearer token for linked account "${DEV_LINKED_ACCOUNT_ID}" (valid 12 h; set AUTH_JWT_SECRET or AUTH_JWKS_URL for real sign-in):`,
      `  ${token}`,
      '',
      '  Mint a Cobalt session token:',
      `  curl -s ${url} -H 'content-type: application/json' -H 'authorization: Bearer ${token}' -d '${body}'`,
    );
  }
  console.log(`${lines.join('\n')}\n`);
}

// Well inside the 5 s the shutdown guard allows beyond the drain.
const TRACE_FLUSH_MS = 3000;

/** Waits for `work` at most `ms`; past it, goes on and says so (spans still queued are lost). */
function withinMs(work: Promise<void>, ms: number, log: { warn: (msg: string) => void }): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      log.warn('trace export did not finish at shutdown; queued spans dropped');
      resolve();
    }, ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  // Before anything serves: spans need the SDK registered behind the API first.
  const tracing = startTracing(config.tracing);
  const { appConfig, embedded } = await resolveEmbedded(config);
  const devBearerToken = embedded.devSecret === undefined ? undefined : await signDevToken(embedded.devSecret);
  const app = createApp(
    appConfig,
    embedded.devSecret === undefined || devBearerToken === undefined
      ? {}
      : { devAuthSecret: embedded.devSecret, devBearerToken },
  );
  const { url, probesUrl } = await app.start();
  printBanner({ url, probesUrl }, config, embedded, devBearerToken);
  app.log.info({ url, probesUrl, tracing: tracing === undefined ? 'off' : 'on' }, 'gateway listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const { shutdownReadinessDelayMs, shutdownTimeoutMs } = config.http;
    app.log.info(
      { signal, readinessDelayMs: shutdownReadinessDelayMs, timeoutMs: shutdownTimeoutMs },
      'shutting down: serving out of rotation, then draining connections',
    );
    // app.stop() cuts requests at the shutdown timeout; this only guards against a hung close.
    setTimeout(
      () => {
        app.log.error('shutdown did not complete; exiting');
        process.exit(1);
      },
      shutdownReadinessDelayMs + shutdownTimeoutMs + 5000,
    ).unref();
    // The embedded emulator goes last: in-flight mints may still be talking to it.
    app
      .stop()
      .then(() => embedded.emulator?.stop())
      // Last: the spans of the requests drained above are still queued for export. Bounded, so an
      // unreachable collector (the exporter waits up to 10 s) cannot outlast the guard above.
      .then(() => (tracing === undefined ? undefined : withinMs(tracing.shutdown(), TRACE_FLUSH_MS, app.log)))
      .then(() => {
        app.log.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => {
    app.log.fatal({ err: reason }, 'unhandled promise rejection');
    process.exit(1);
  });
}

main().catch((error: unknown) => {
  // Startup failed (port taken, …). Print only the message: a stack can carry config details.
  console.error(`cobalt-gateway failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
