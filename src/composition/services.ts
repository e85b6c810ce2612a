import { createJwtVerifier, type JwtVerifier } from '../auth/jwt-verifier';
import { CobaltCircuitBreaker, type BreakerState } from '../cobalt/circuit-breaker';
import { CobaltDataSource } from '../cobalt/cobalt.data-source';
import type { Config, CobaltConfig } from '../config/load-config';
import { RedisIntegrationsCache, MemoryIntegrationsCache } from '../integrations/integrations-cache';
import { IntegrationsService } from '../integrations/integrations.service';
import { LinkedAccountService } from '../linked-accounts/linked-account.service';
import { createRateLimits } from '../rate-limits/rate-limits';
import { MemoryTokenStore } from '../session-tokens/memory-token-store';
import { RedisTokenStore } from '../session-tokens/redis-token-store';
import { SessionTokenService } from '../session-tokens/session-token.service';
import type { TokenStore } from '../session-tokens/token-store';
import { TwoTierTokenStore } from '../session-tokens/two-tier-token-store';
import { ViewerSessionTokens } from '../session-tokens/viewer-session-tokens';
import type { Infrastructure } from './infrastructure';

/** A config whose Cobalt upstream is concrete (main.ts resolves the embedded emulator first). */
export type AppConfig = Omit<Config, 'cobalt'> & { readonly cobalt: Extract<CobaltConfig, { kind: 'remote' }> };

/** The middle layer: what resolvers call, and what readiness and shutdown look at. */
export interface Services {
  readonly verifier: JwtVerifier;
  readonly breaker: CobaltCircuitBreaker;
  readonly tokenStore: TokenStore;
  readonly sessionTokens: ViewerSessionTokens;
  readonly linkedAccounts: LinkedAccountService;
  readonly integrations: IntegrationsService;
  close(): Promise<void>;
}

const BREAKER_GAUGE: { readonly [S in BreakerState]: number } = { closed: 0, 'half-open': 1, open: 2 };

export function createServices(
  infra: Infrastructure,
  config: AppConfig,
  dev: { readonly authSecret?: Uint8Array } = {},
): Services {
  const { log, clock, metrics, keys } = infra;
  const verifier = createJwtVerifier(config.auth, dev.authSecret, {
    clock,
    onStaleUse: () => metrics.jwksStaleVerifications.inc(),
    onOutageChange: (down) =>
      down
        ? log.warn({ event: 'jwks-unreachable' }, 'JWKS URL unreachable: verifying with the last good key set')
        : log.info({ event: 'jwks-reachable' }, 'JWKS URL answers again'),
  });
  const rateLimits = createRateLimits(
    {
      mintsPerAccountPerMinute: config.rateLimits.mintsPerAccountPerMinute,
      mintsPerIpPerMinute: config.rateLimits.mintsPerIpPerMinute,
      cobaltCallsPerSecond: config.cobalt.maxRps,
    },
    {
      keys,
      clock,
      ...(infra.redis !== undefined && { redis: infra.redis.shared }),
      onReject: (limit) => metrics.rateLimitRejections.inc({ limit }),
    },
  );
  // A probe is one Cobalt operation: past the operation deadline it has hung, and another may go.
  const breakerPolicy = { ...config.cobalt.breaker, probeLeaseMs: config.cobalt.deadlineMs };
  const breaker = new CobaltCircuitBreaker(breakerPolicy, {
    log,
    clock,
    onStateChange: (state) => metrics.cobaltBreakerState.set(BREAKER_GAUGE[state]),
  });
  const cobalt = new CobaltDataSource({
    baseUrl: config.cobalt.baseUrl,
    apiKey: config.cobalt.apiKey,
    timeoutMs: config.cobalt.timeoutMs,
    deadlineMs: config.cobalt.deadlineMs,
    maxRetries: config.cobalt.maxRetries,
    log,
    clock,
    onCall: (operation, seconds, outcome) => metrics.cobaltCalls.observe({ operation, outcome }, seconds),
    onRetry: (operation) => metrics.cobaltRetries.inc({ operation }),
    breaker,
    callBudget: rateLimits.cobaltCalls,
  });
  const tokenStore = createTokenStore(infra, config.tokenCache);
  const tokens = new SessionTokenService({
    cobalt,
    store: tokenStore,
    log,
    clock,
    policy: {
      ...(config.tokenCache.refreshMarginS !== undefined && {
        refreshMarginMs: config.tokenCache.refreshMarginS * 1000,
      }),
      forceRefreshIntervalMs: config.tokenCache.forceRefreshIntervalS * 1000,
      flightWaitMs: flightWaitMs(config),
      autoProvision: config.autoProvision,
    },
  });
  metrics.exportTokenCacheStats(tokens.stats, ...(tokenStore instanceof TwoTierTokenStore ? [tokenStore.stats] : []));
  const integrations = new IntegrationsService({
    cobalt,
    sessionTokens: tokens,
    cache:
      infra.redis === undefined
        ? new MemoryIntegrationsCache(clock)
        : new RedisIntegrationsCache(infra.redis.shared, infra.redis.records('integrations'), keys),
    cacheTtlMs: config.integrations.cacheTtlS * 1000,
    limits: rateLimits.mints,
  });
  return {
    verifier,
    breaker,
    tokenStore,
    sessionTokens: new ViewerSessionTokens(tokens, rateLimits.mints),
    linkedAccounts: new LinkedAccountService({ cobalt, integrations, limits: rateLimits.mints }),
    integrations,
    async close() {
      breaker.shutdown();
      await tokenStore.close();
    },
  };
}

function createTokenStore(infra: Infrastructure, { store, l1 }: Config['tokenCache']): TokenStore {
  const { keys, clock } = infra;
  if (store.kind === 'memory') return new MemoryTokenStore({ maxEntries: store.maxEntries, keys, clock });
  if (infra.redis === undefined) throw new Error('a Redis token cache needs the shared Redis connection');
  const redis = new RedisTokenStore({ redis: infra.redis.shared, records: infra.redis.records('token'), keys, clock });
  if (l1.ttlS === 0) return redis;
  // A hit in process costs no round trip and no decryption, and outlives a Redis outage until the
  // token's refresh point; the flight channel carries the invalidations that keep instances in step.
  return new TwoTierTokenStore(redis, { maxEntries: l1.maxEntries, ttlMs: l1.ttlS * 1000, keys, clock, bus: redis });
}

/**
 * How long another instance's mint is awaited. A leader makes at most two Cobalt operations (the
 * second when a reused token needs rotating), each within the deadline, plus an upsert and a second
 * mint when it provisions; waiting longer would only add latency.
 */
function flightWaitMs(config: AppConfig): number {
  return (config.autoProvision ? 4 : 2) * config.cobalt.deadlineMs + 1000;
}
