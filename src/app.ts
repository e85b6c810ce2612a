import { createContextFunction } from './auth/context';
import { createGraphQL } from './composition/graphql';
import { createInfrastructure } from './composition/infrastructure';
import { createServices, type AppConfig } from './composition/services';
import type { Clock } from './infra/clock';
import type { Logger } from './observability/logger';
import { createHttpServer } from './server/http-server';
import { createProbeServer } from './server/probes';
import { GATEWAY_VALIDATION_RULES } from './server/apollo-server';
import { createTrustedFastPath } from './server/trusted-documents/fast-path';
import { loadTrustedDocuments } from './server/trusted-documents/manifest';
import { prepareTrustedDocuments } from './server/trusted-documents/prepared-documents';
import { createLifecycle, ServerPhase } from './server/lifecycle';
import { createPlayground } from './server/playground/playground';
import type { LoadSampler } from './server/load-sampler';
import { OverloadMonitor } from './server/overload-monitor';
import { createReadiness } from './server/readiness';

export type { AppConfig } from './composition/services';

export interface AppOverrides {
  /** A logger to use instead of one built from config (tests capture output with it). */
  readonly log?: Logger;
  /** The generated HS256 secret when `config.auth.kind` is `dev-generated`. */
  readonly devAuthSecret?: Uint8Array;
  /** Put in the playground's headers tab (the embedded default's dev sign-in). */
  readonly devBearerToken?: string;
  /** Time for every time-dependent part: caches, breaker, retries, limits, key sets. */
  readonly clock?: Clock;
  /** What the overload monitor reads instead of this process's event loop and heap (tests drive it). */
  readonly overloadSampler?: () => LoadSampler;
}

export interface GatewayApp {
  readonly log: Logger;
  /** Listens on `config.http`; resolves with the URL of the GraphQL endpoint. */
  /** `probesUrl`: the probe listener's origin, with `HEALTH_PORT`. */
  start(): Promise<{ url: string; port: number; probesUrl?: string }>;
  /** Leaves rotation, serves on for the readiness delay, then stops accepting and drains the connections. */
  stop(): Promise<void>;
}

/**
 * Composition root, in the order the parts depend on each other: infrastructure (logger, clock,
 * metrics, Redis) → services (Cobalt, caches, limits, auth) → GraphQL (schema, Apollo) → HTTP server
 * and its lifecycle. The only place that knows every folder.
 */
export function createApp(config: AppConfig, overrides: AppOverrides = {}): GatewayApp {
  const infra = createInfrastructure(config, {
    ...(overrides.log !== undefined && { log: overrides.log }),
    ...(overrides.clock !== undefined && { clock: overrides.clock }),
  });
  const { log, metrics } = infra;
  const services = createServices(
    infra,
    config,
    overrides.devAuthSecret === undefined ? {} : { authSecret: overrides.devAuthSecret },
  );
  const { introspection } = config.graphql;
  const graphql = createGraphQL(services, { log, metrics, introspection });
  const { apollo } = graphql;
  const createContext = createContextFunction({ verifier: services.verifier, log });

  const { mode, manifestPath } = config.graphql.trustedDocuments;
  const trustedDocuments = mode === 'off' ? undefined : { mode, documents: loadTrustedDocuments(manifestPath) };
  // Every manifest document parsed and validated here, once; a trusted request then skips Apollo's pipeline.
  const trustedFastPath =
    trustedDocuments === undefined
      ? undefined
      : createTrustedFastPath({
          ...graphql,
          createContext,
          documents: prepareTrustedDocuments(trustedDocuments.documents, {
            schema: graphql.schema,
            rules: GATEWAY_VALIDATION_RULES,
            introspection,
          }),
        });
  const phase = new ServerPhase();
  const overload = new OverloadMonitor({
    ...config.overload,
    ...(overrides.overloadSampler !== undefined && { sampler: overrides.overloadSampler }),
    clock: infra.clock,
    log,
    metrics,
  });
  const readinessOf = createReadiness({
    phase: () => phase.current,
    tokenCache: () => ({ kind: services.tokenStore.kind, health: services.tokenStore.health() }),
    cobaltBreaker: () => services.breaker.state,
    overload: () => overload.status(),
  });
  const server = createHttpServer({
    apollo,
    createContext,
    log,
    maxBodyBytes: config.http.maxBodyBytes,
    corsOrigins: config.http.corsOrigins,
    trustProxyHops: config.http.trustProxyHops,
    ...(trustedDocuments !== undefined && { trustedDocuments }),
    ...(trustedFastPath !== undefined && { trustedFastPath }),
    isDraining: () => phase.current === 'draining',
    overload,
    metrics: metrics.registry,
    ...(config.graphql.playground && {
      playground: createPlayground(
        overrides.devBearerToken === undefined ? {} : { devBearerToken: overrides.devBearerToken },
      ),
    }),
    readiness: readinessOf,
  });
  const probes =
    config.http.healthPort === undefined
      ? undefined
      : {
          server: createProbeServer({ metrics: metrics.registry, readiness: readinessOf }),
          port: config.http.healthPort,
        };
  const lifecycle = createLifecycle({
    server,
    ...(probes !== undefined && { probes }),
    phase,
    log,
    clock: infra.clock,
    metrics,
    host: config.http.host,
    port: config.http.port,
    readinessDelayMs: config.http.shutdownReadinessDelayMs,
    shutdownTimeoutMs: config.http.shutdownTimeoutMs,
    idleGraceMs: config.http.shutdownIdleGraceMs,
    beforeListen: [
      () => infra.connect(),
      () => apollo.start(),
      () => {
        overload.start();
        return Promise.resolve();
      },
    ],
    afterClose: [
      () => {
        overload.stop();
        return Promise.resolve();
      },
      () => apollo.stop(),
      () => services.close(),
      () => infra.close(),
    ],
  });
  return { log, start: () => lifecycle.start(), stop: () => lifecycle.stop() };
}
