import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwksCache,
  type JWKSCacheInput,
  type JWTVerifyGetKey,
} from 'jose';

export interface JwksKeySetOptions {
  /** Keys older than this are fetched again before use (new keys are fetched sooner, on an unknown kid). */
  readonly cacheMaxAgeMs: number;
  /** How long after its fetch the last good key set may stand in for an unreachable JWKS URL. */
  readonly maxStaleMs: number;
  /** Called for every token verified with the stale set (an alert metric). */
  readonly onStaleUse?: () => void;
  /** Called once when the URL stops answering, once when it answers again. */
  readonly onOutageChange?: (down: boolean) => void;
  readonly now?: () => number;
}

const FETCH_TIMEOUT_MS = 3000;
// Once the URL failed, verifications use the last good set without asking again for this long, so an
// identity-provider outage costs one fetch timeout per interval, not one per new token.
const OUTAGE_RECHECK_MS = 10_000;

/**
 * A JWKS resolver that rotates keys without a restart (jose refetches on an unknown `kid`, at most
 * every 30 s, and after `cacheMaxAgeMs`) and bridges a short identity-provider outage: while the URL
 * cannot be fetched, the last set that was fetched successfully keeps verifying tokens for at most
 * `maxStaleMs`, after which tokens are refused. Keys the set does not contain are never bridged: an
 * unknown `kid` is refused as before.
 */
export function createJwksKeySet(url: URL, options: JwksKeySetOptions): JWTVerifyGetKey {
  const now = options.now ?? Date.now;
  // jose writes each successfully fetched set here (its persisted-cache hook); we read it back.
  // (Held in a property so TypeScript does not narrow it to the empty object it starts as.)
  const persisted: { readonly cache: JWKSCacheInput } = { cache: {} };
  const remote = createRemoteJWKSet(url, {
    timeoutDuration: FETCH_TIMEOUT_MS,
    cooldownDuration: 30_000,
    cacheMaxAge: options.cacheMaxAgeMs,
    [jwksCache]: persisted.cache,
  });
  let lastGood: { readonly fetchedAt: number; readonly keys: JWTVerifyGetKey } | undefined;
  let recheckAt = 0;
  let down = false;

  const usableStale = () => lastGood !== undefined && now() - lastGood.fetchedAt <= options.maxStaleMs;
  const setDown = (value: boolean) => {
    if (down === value) return;
    down = value;
    options.onOutageChange?.(value);
  };

  return async (header, token) => {
    if (down && now() < recheckAt && lastGood !== undefined && usableStale()) {
      options.onStaleUse?.();
      return lastGood.keys(header, token);
    }
    try {
      const key = await remote(header, token);
      const fetched = persisted.cache;
      if ('uat' in fetched && fetched.uat !== lastGood?.fetchedAt) {
        lastGood = { fetchedAt: fetched.uat, keys: createLocalJWKSet(fetched.jwks) };
      }
      setDown(false);
      return key;
    } catch (error) {
      if (!isFetchFailure(error)) throw error;
      setDown(true);
      recheckAt = now() + OUTAGE_RECHECK_MS;
      if (lastGood === undefined || !usableStale()) throw error;
      options.onStaleUse?.();
      return lastGood.keys(header, token);
    }
  };
}

/** The URL did not give us a key set (network, timeout, non-200, not JSON, not a JWKS). */
export function isFetchFailure(error: unknown): boolean {
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) return true;
  // Non-200 answers and unparseable bodies are plain JOSEErrors; fetch's own failures are TypeErrors.
  if (error instanceof joseErrors.JOSEError) return error.code === 'ERR_JOSE_GENERIC';
  return error instanceof TypeError;
}
