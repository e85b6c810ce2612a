import type { AddressInfo } from 'node:net';
import { createContextFunction } from './auth/context';
import { createJwtVerifier } from './auth/jwt-verifier';
import { CobaltCircuitBreaker, type BreakerState } from './cobalt/circuit-breaker';
import { CobaltDataSource } from './cobalt/cobalt.data-source';
import type { CobaltConfig, Config } from './config/load-config';
import { createFormatError } from './errors/format-error';
import { createLogger, type Logger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import { createRequestLoggingPlugin } from './observability/request-logging.plugin';
import { currentRequestId } from './observability/request-scope';
import { createRateLimits } from './rate-limits/rate-limits';
import { SessionTokenResolver } from './resolvers/session-token.resolver';
import { ViewerResolver } from './resolvers/viewer.resolver';
import { buildGatewaySchema } from './schema/build-schema';
import { createApolloServer } from './server/apollo-server';
import { createHttpServer } from './server/http-server';
import { createPlayground } from './server/playground/playground';
import { createIntegrationsCache } from './integrations/integrations-cache';
import { IntegrationsService } from './integrations/integrations.service';
import { IntegrationResolver } from './resolvers/integration.resolver';
import { LinkedAccountResolver } from './resolvers/linked-account.resolver';
import { createTokenStore } from './session-tokens/create-token-store';
import { SessionTokenService } from './session-tokens/session-token.service';

/** A config whose Cobalt upstream is concrete (main.ts resolves the embedded emulator first). */
export type AppConfig = Omit<Config, 'cobalt'> & { readonly cobalt: Extract<CobaltConfig, { kind: 'remote' }> };

export interface AppOverrides {
  /** A logger to use instead of one built from config (tests capture output with it). */
  readonly log?: Logger;
  /** The generated HS256 secret when `config.auth.kind` is `dev-generated`. */
  readonly devAuthSecret?: Uint8Array;
  /** Put in the playground's headers tab (the embedded default's dev sign-in). */
  readonly devBearerToken?: string;
  /** The clock of the token cache (tests move it to cross refresh margins). */
  readonly now?: () => number;
}

export interface GatewayApp {
  readonly log: Logger;
  /** Listens on `config.http`; resolves with the URL of the GraphQL endpoint. */
  start(): Promise<{ url: string; port: number }>;
  /** Stops accepting connections and waits for in-flight requests. */
  stop(): Promise<void>;
}

const BREAKER_GAUGE: { readonly [S in BreakerState]: number } = { closed: 0, 'half-open': 1, open: 2 };

/** Composition root: the only place that knows every folder. */
export function createApp(config: AppConfig, overrides: AppOverrides = {}): GatewayApp {
  const log = overrides.log ?? createLogger({ level: config.logLevel });
  // The token stats exist only once the service does; the collector reads them at scrape time.
  let tokenStats: () => object = () => ({});
  const metrics = createMetrics(() => tokenStats());
  const verifier = createJwtVerifier(config.auth, overrides.devAuthSecret, {
    onStaleUse: () => metrics.jwksStaleVerifications.inc(),
    onOutageChange: (down) =>
      down
        ? log.warn({ event: 'jwks-unreachable' }, 'JWKS URL unreachable: verifying with the last good key set')
        : log.info({ event: 'jwks-reachable' }, 'JWKS URL answers again'),
  });
  const redisSettings =
    config.tokenCache.store.kind === 'redis'
      ? { url: config.tokenCache.store.url, commandTimeoutMs: config.tokenCache.store.commandTimeoutMs }
      : undefined;
  const rateLimits = createRateLimits(
    {
      mintsPerAccountPerMinute: config.rateLimits.mintsPerAccountPerMinute,
      mintsPerIpPerMinute: config.rateLimits.mintsPerIpPerMinute,
      cobaltCallsPerSecond: config.cobalt.maxRps,
      ...(redisSettings !== undefined && { redis: redisSettings }),
    },
    { apiKey: config.cobalt.apiKey, log, onReject: (limit) => metrics.rateLimitRejections.inc({ limit }) },
  );
  const breaker = new CobaltCircuitBreaker(config.cobalt.breaker, {
    log,
    onStateChange: (state) => metrics.cobaltBreakerState.set(BREAKER_GAUGE[state]),
  });
  const cobalt = new CobaltDataSource({
    baseUrl: config.cobalt.baseUrl,
    apiKey: config.cobalt.apiKey,
    timeoutMs: config.cobalt.timeoutMs,
    deadlineMs: config.cobalt.deadlineMs,
    maxRetries: config.cobalt.maxRetries,
    log,
    onCall: (operation, seconds, outcome) => metrics.cobaltCalls.observe({ operation, outcome }, seconds),
    onRetry: (operation) => metrics.cobaltRetries.inc({ operation }),
    breaker,
    callBudget: rateLimits.cobaltCalls,
  });
  const store = createTokenStore(config.tokenCache.store, {
    apiKey: config.cobalt.apiKey,
    log,
    ...(overrides.now !== undefined && { now: overrides.now }),
  });
  const sessionTokens = new SessionTokenService({
    cobalt,
    store,
    log,
    policy: {
      ...(config.tokenCache.refreshMarginS !== undefined && {
        refreshMarginMs: config.tokenCache.refreshMarginS * 1000,
      }),
      forceRefreshIntervalMs: config.tokenCache.forceRefreshIntervalS * 1000,
      // A leader makes at most two Cobalt operations (the second when a reused token needs
      // rotating), each within the deadline, plus an upsert and a second mint when it provisions;
      // waiting longer would only add latency.
      flightWaitMs: (config.autoProvision ? 4 : 2) * config.cobalt.deadlineMs + 1000,
      autoProvision: config.autoProvision,
    },
    ...(overrides.now !== undefined && { now: overrides.now }),
  });

  tokenStats = () => sessionTokens.stats;
  const integrationsCache = createIntegrationsCache(config.tokenCache.store, {
    apiKey: config.cobalt.apiKey,
    log,
    ...(overrides.now !== undefined && { now: overrides.now }),
  });
  const integrations = new IntegrationsService({
    cobalt,
    sessionTokens,
    cache: integrationsCache,
    cacheTtlMs: config.integrations.cacheTtlS * 1000,
    limits: rateLimits.mints,
  });

  const instances = new Map<unknown, unknown>([
    [SessionTokenResolver, new SessionTokenResolver(sessionTokens, rateLimits.mints)],
    [ViewerResolver, new ViewerResolver()],
    [LinkedAccountResolver, new LinkedAccountResolver(cobalt, integrations, rateLimits.mints)],
    [IntegrationResolver, new IntegrationResolver(integrations, rateLimits.mints)],
  ]);
  const schema = buildGatewaySchema({
    get: (someClass: unknown) => {
      const instance = instances.get(someClass);
      if (instance === undefined) throw new Error('resolver not registered in app.ts');
      return instance;
    },
  });

  const apollo = createApolloServer({
    schema,
    introspection: config.graphql.introspection,
    formatError: createFormatError({
      getRequestId: currentRequestId,
      onMasked: (original, requestId) => log.error({ err: original, requestId }, 'unexpected error masked'),
    }),
    plugins: [createRequestLoggingPlugin(log, metrics)],
  });

  let phase: 'starting' | 'serving' | 'stopping' = 'starting';
  const server = createHttpServer({
    apollo,
    createContext: createContextFunction({ verifier, log }),
    log,
    maxBodyBytes: config.http.maxBodyBytes,
    corsOrigins: config.http.corsOrigins,
    trustProxyHops: config.http.trustProxyHops,
    isDraining: () => phase === 'stopping',
    metrics: metrics.registry,
    ...(config.graphql.playground && {
      playground: createPlayground(
        overrides.devBearerToken === undefined ? {} : { devBearerToken: overrides.devBearerToken },
      ),
    }),
    readiness: () => {
      if (phase !== 'serving') return { status: phase };
      // A degraded cache still serves every mint (through Cobalt), and an open breaker still serves
      // cached tokens; every instance shares the same Cobalt, so leaving rotation would turn a Cobalt
      // outage into a full one. Report both, stay in rotation.
      const tokenCache = store.health();
      const cobaltBreaker = breaker.state;
      return {
        status: tokenCache === 'ok' && cobaltBreaker === 'closed' ? 'ready' : 'degraded',
        checks: { tokenCache: `${store.kind}:${tokenCache}`, cobaltBreaker },
      };
    },
  });

  return {
    log,
    async start() {
      await Promise.all([store.connect(), rateLimits.connect(), integrationsCache.connect()]);
      await apollo.start();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.http.port, config.http.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      phase = 'serving';
      const { port } = server.address() as AddressInfo;
      const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
      return { url: `http://${host}:${port}/graphql`, port };
    },
    async stop() {
      phase = 'stopping';
      // In-flight requests finish (their answers carry `connection: close`); idle keep-alive
      // connections go now. Past the shutdown timeout the stragglers are cut.
      const cutOff = setTimeout(() => {
        log.warn({ event: 'shutdown-timeout' }, 'shutdown timeout: closing connections still in flight');
        server.closeAllConnections();
      }, config.http.shutdownTimeoutMs);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearTimeout(cutOff);
      await apollo.stop();
      breaker.shutdown();
      await Promise.all([store.close(), rateLimits.close(), integrationsCache.close()]);
    },
  };
}
