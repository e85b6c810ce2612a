import type { AddressInfo } from 'node:net';
import { createContextFunction } from './auth/context';
import { createJwtVerifier } from './auth/jwt-verifier';
import { CobaltDataSource } from './cobalt/cobalt.data-source';
import type { CobaltConfig, Config } from './config/load-config';
import { createFormatError } from './errors/format-error';
import { createLogger, type Logger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import { createRequestLoggingPlugin } from './observability/request-logging.plugin';
import { currentRequestId } from './observability/request-scope';
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

/** Composition root: the only place that knows every folder. */
export function createApp(config: AppConfig, overrides: AppOverrides = {}): GatewayApp {
  const log = overrides.log ?? createLogger({ level: config.logLevel });
  const verifier = createJwtVerifier(config.auth, overrides.devAuthSecret);
  // The token stats exist only once the service does; the collector reads them at scrape time.
  let tokenStats: () => object = () => ({});
  const metrics = createMetrics(() => tokenStats());
  const cobalt = new CobaltDataSource({
    baseUrl: config.cobalt.baseUrl,
    apiKey: config.cobalt.apiKey,
    timeoutMs: config.cobalt.timeoutMs,
    deadlineMs: config.cobalt.deadlineMs,
    maxRetries: config.cobalt.maxRetries,
    log,
    onCall: (operation, seconds, outcome) => metrics.cobaltCalls.observe({ operation, outcome }, seconds),
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
  });

  const instances = new Map<unknown, unknown>([
    [SessionTokenResolver, new SessionTokenResolver(sessionTokens)],
    [ViewerResolver, new ViewerResolver()],
    [LinkedAccountResolver, new LinkedAccountResolver(cobalt, integrations)],
    [IntegrationResolver, new IntegrationResolver(integrations)],
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

  let ready = false;
  const server = createHttpServer({
    apollo,
    createContext: createContextFunction({ verifier, log }),
    log,
    maxBodyBytes: config.http.maxBodyBytes,
    corsOrigins: config.http.corsOrigins,
    metrics: metrics.registry,
    ...(config.graphql.playground && {
      playground: createPlayground(
        overrides.devBearerToken === undefined ? {} : { devBearerToken: overrides.devBearerToken },
      ),
    }),
    readiness: () => {
      if (!ready) return { status: 'starting' };
      // A degraded cache still serves every mint (through Cobalt): report it, stay in rotation.
      const tokenCache = store.health();
      return {
        status: tokenCache === 'ok' ? 'ready' : 'degraded',
        checks: { tokenCache: `${store.kind}:${tokenCache}` },
      };
    },
  });

  return {
    log,
    async start() {
      await store.connect();
      await integrationsCache.connect();
      await apollo.start();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.http.port, config.http.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      ready = true;
      const { port } = server.address() as AddressInfo;
      const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
      return { url: `http://${host}:${port}/graphql`, port };
    },
    async stop() {
      ready = false;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await apollo.stop();
      await store.close();
      await integrationsCache.close();
    },
  };
}
