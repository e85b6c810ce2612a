import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric the gateway exports, declared in one place. Label values are bounded by the schema
 * and the error enums (root field names, error codes), never taken from client input such as
 * operation names, which would let a client create series at will.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly graphqlRequests: Counter<'field' | 'outcome'>;
  readonly graphqlDuration: Histogram<'field'>;
  readonly cobaltCalls: Histogram<'operation' | 'outcome'>;
  readonly cobaltRetries: Counter<'operation'>;
  /** 0 closed, 1 half-open, 2 open. */
  readonly cobaltBreakerState: Gauge;
  readonly rateLimitRejections: Counter<'limit'>;
  /** Tokens verified with a key set kept past its refresh because the JWKS URL was unreachable. */
  readonly jwksStaleVerifications: Counter;
  /** Connections closed at shutdown: `drained` (no request lost) or `reset` (cut with a request in flight). */
  readonly shutdownConnections: Counter<'outcome'>;
  /** New GraphQL requests refused with 503 `OVERLOADED`, by what was over its threshold. */
  readonly overloadSheds: Counter<'reason'>;
  /** 1 while this instance sheds new GraphQL requests, 0 otherwise. */
  readonly overloaded: Gauge;
  /**
   * Exports the token cache's counters (hits, misses, …) at every scrape. The service keeps plain
   * counters, which cost nothing on the hot path; the metric reads them when asked.
   */
  exportTokenCacheStats(...stats: object[]): void;
}

export function createMetrics(): GatewayMetrics {
  let tokenStats: readonly object[] = [];
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cobalt_gateway_' });
  const graphqlRequests = new Counter({
    name: 'cobalt_gateway_graphql_requests_total',
    help: 'GraphQL operations by root field and outcome (ok or the first error code).',
    labelNames: ['field', 'outcome'] as const,
    registers: [registry],
  });
  const graphqlDuration = new Histogram({
    name: 'cobalt_gateway_graphql_duration_seconds',
    help: 'Time to answer a GraphQL operation, by root field.',
    labelNames: ['field'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const cobaltCalls = new Histogram({
    name: 'cobalt_gateway_cobalt_call_duration_seconds',
    help: 'Calls to Cobalt by operation and outcome (ok or the error code they mapped to).',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Counter({
    name: 'cobalt_gateway_token_cache_events_total',
    help: 'Token cache events: hits, misses, coalesced waits, stale serves, forced refreshes, Cobalt calls; with Redis, in-process hits (l1Hits), Redis reads (l2Reads) and invalidations heard.',
    labelNames: ['event'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const stats of tokenStats) {
        for (const [event, value] of Object.entries(stats)) {
          if (typeof value === 'number') this.inc({ event }, value);
        }
      }
    },
  });
  const cobaltRetries = new Counter({
    name: 'cobalt_gateway_cobalt_retries_total',
    help: 'Retried attempts of Cobalt calls, by operation.',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const cobaltBreakerState = new Gauge({
    name: 'cobalt_gateway_cobalt_breaker_state',
    help: 'Circuit breaker around Cobalt: 0 closed, 1 half-open, 2 open (failing fast).',
    registers: [registry],
  });
  const rateLimitRejections = new Counter({
    name: 'cobalt_gateway_rate_limit_rejections_total',
    help: 'Requests refused by a rate limit: mints-per-account, mints-per-ip, or cobalt-calls (the org budget).',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  const jwksStaleVerifications = new Counter({
    name: 'cobalt_gateway_jwks_stale_verifications_total',
    help: 'Bearer tokens verified with the last good JWKS while the identity provider was unreachable. Alert on it.',
    registers: [registry],
  });
  const shutdownConnections = new Counter({
    name: 'cobalt_gateway_shutdown_connections_total',
    help: 'Connections closed at shutdown: drained (every request answered) or reset (cut at SHUTDOWN_TIMEOUT_MS with a request in flight).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const overloadSheds = new Counter({
    name: 'cobalt_gateway_overload_shed_total',
    help: 'New GraphQL requests refused with HTTP 503 OVERLOADED, by reason: event-loop-delay, heap or in-flight.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const overloaded = new Gauge({
    name: 'cobalt_gateway_overloaded',
    help: 'Whether this instance is shedding new GraphQL requests (1) or admitting them (0).',
    registers: [registry],
  });
  return {
    registry,
    graphqlRequests,
    graphqlDuration,
    cobaltCalls,
    cobaltRetries,
    cobaltBreakerState,
    rateLimitRejections,
    jwksStaleVerifications,
    shutdownConnections,
    overloadSheds,
    overloaded,
    exportTokenCacheStats: (...stats) => {
      tokenStats = stats;
    },
  };
}
