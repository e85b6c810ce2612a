/** `stopping`: out of rotation, still accepting; `draining`: listener closed, connections closing. */
export type Phase = 'starting' | 'serving' | 'stopping' | 'draining';

export interface Readiness {
  status: 'starting' | 'stopping' | 'ready' | 'degraded';
  checks?: Record<string, string>;
}

/** What readiness looks at besides the phase. */
export interface ReadinessSources {
  readonly phase: () => Phase;
  /** The token cache: `memory:ok`, `redis:ok`, `redis:degraded`. */
  readonly tokenCache: () => { readonly kind: string; readonly health: 'ok' | 'degraded' };
  readonly cobaltBreaker: () => 'closed' | 'open' | 'half-open';
  /** Load shedding: `off`, `ok`, or `shedding:<reason>`. */
  readonly overload?: () => string;
}

/**
 * The `/readyz` answer. Only the phase takes an instance out of rotation. A degraded cache still
 * serves every mint (through Cobalt), and an open breaker still serves cached tokens; every instance
 * shares the same Cobalt and the same Redis, so leaving rotation would turn their outage into a full
 * one. Both are reported, and the instance stays in rotation. So does an instance shedding load: it is
 * busy, not broken, and taking it out (or restarting it) would move its load onto the others.
 */
export function createReadiness(sources: ReadinessSources): () => Readiness {
  return () => {
    const phase = sources.phase();
    if (phase !== 'serving') return { status: phase === 'starting' ? 'starting' : 'stopping' };
    const tokenCache = sources.tokenCache();
    const cobaltBreaker = sources.cobaltBreaker();
    const overload = sources.overload?.() ?? 'off';
    const healthy = tokenCache.health === 'ok' && cobaltBreaker === 'closed' && !overload.startsWith('shedding');
    return {
      status: healthy ? 'ready' : 'degraded',
      checks: { tokenCache: `${tokenCache.kind}:${tokenCache.health}`, cobaltBreaker, overload },
    };
  };
}
