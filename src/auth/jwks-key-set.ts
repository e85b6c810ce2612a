import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors as joseErrors,
  type FetchImplementation,
  type JWTVerifyGetKey,
} from 'jose';
import { systemClock, type Clock } from '../infra/clock';

export interface JwksKeySetOptions {
  /** Keys older than this are fetched again before use (new keys are fetched sooner, on an unknown kid). */
  readonly cacheMaxAgeMs: number;
  /** How long after its fetch the last good key set may stand in for an unreachable JWKS URL. */
  readonly maxStaleMs: number;
  /** Called for every token verified with the stale set (an alert metric). */
  readonly onStaleUse?: () => void;
  /** Called once when the URL stops answering, once when it answers again. */
  readonly onOutageChange?: (down: boolean) => void;
  /**
   * Ages each fetched set and decides when to fetch again (max age, unknown-kid cooldown, outage
   * recheck, stale limit), all on `monotonic()`: these are durations, and a step of the wall clock
   * (NTP, a VM resumed) must neither expire the set early nor stretch the stale window. The fetch's
   * own timeout stays on real time: it bounds a real socket.
   * @default systemClock
   */
  readonly clock?: Clock;
  /** Used instead of the global `fetch` (tests answer without a socket). */
  readonly fetch?: FetchImplementation;
}

const FETCH_TIMEOUT_MS = 3000;
// An unknown kid refetches the set at most this often after a fetch, so tokens with made-up kids cost
// the identity provider one request per interval, not one per token.
const UNKNOWN_KID_COOLDOWN_MS = 30_000;
// Once the URL failed, verifications use the last good set without asking again for this long, so an
// identity-provider outage costs one fetch timeout per interval, not one per new token.
const OUTAGE_RECHECK_MS = 10_000;

interface FetchedKeys {
  /** When the set was fetched, on the key set's monotonic clock. */
  readonly fetchedAt: number;
  readonly keys: JWTVerifyGetKey;
}

/**
 * A JWKS resolver that rotates keys without a restart (it refetches on an unknown `kid`, at most every
 * 30 s, and after `cacheMaxAgeMs`) and bridges a short identity-provider outage: while the URL cannot
 * be fetched, the last set that was fetched successfully keeps verifying tokens for at most
 * `maxStaleMs`, after which tokens are refused. Keys the set does not contain are never bridged: an
 * unknown `kid` is refused as before.
 */
export function createJwksKeySet(url: URL, options: JwksKeySetOptions): JWTVerifyGetKey {
  const clock = options.clock ?? systemClock;
  // jose fetches and checks the set (timeout, no redirects, JSON, JWKS shape). Only its `reload()` is
  // used: its resolver decides freshness and cooldown on Date.now, so that decision is made here, on
  // our clock, instead.
  const remote = createRemoteJWKSet(url, {
    timeoutDuration: FETCH_TIMEOUT_MS,
    ...(options.fetch !== undefined && { [customFetch]: options.fetch }),
  });
  let lastGood: FetchedKeys | undefined;
  let fetching: Promise<FetchedKeys> | undefined;
  let recheckAt = 0;
  let down = false;

  const usableStale = (): boolean =>
    lastGood !== undefined && clock.monotonic() - lastGood.fetchedAt <= options.maxStaleMs;
  const setDown = (value: boolean) => {
    if (down === value) return;
    down = value;
    options.onOutageChange?.(value);
  };
  const fetchKeys = async (): Promise<FetchedKeys> => {
    await remote.reload();
    const jwks = remote.jwks();
    // reload() resolves only once a valid set is held, so this is a broken promise of jose's.
    if (jwks === undefined) throw new joseErrors.JWKSInvalid('no key set after a successful fetch');
    lastGood = { fetchedAt: clock.monotonic(), keys: createLocalJWKSet(jwks) };
    setDown(false);
    return lastGood;
  };
  // Concurrent verifications that need a fetch share one.
  const refetch = (): Promise<FetchedKeys> =>
    (fetching ??= fetchKeys().finally(() => {
      fetching = undefined;
    }));

  return async (header, token) => {
    if (down && clock.monotonic() < recheckAt && lastGood !== undefined && usableStale()) {
      options.onStaleUse?.();
      return lastGood.keys(header, token);
    }
    try {
      const held =
        lastGood !== undefined && clock.monotonic() - lastGood.fetchedAt < options.cacheMaxAgeMs ? lastGood : undefined;
      const current = held ?? (await refetch());
      try {
        return await current.keys(header, token);
      } catch (error) {
        // An unknown kid may be a key published since the last fetch.
        const coolingDown = clock.monotonic() - current.fetchedAt < UNKNOWN_KID_COOLDOWN_MS;
        if (!(error instanceof joseErrors.JWKSNoMatchingKey) || coolingDown) throw error;
        return await (await refetch()).keys(header, token);
      }
    } catch (error) {
      if (!isFetchFailure(error)) throw error;
      setDown(true);
      recheckAt = clock.monotonic() + OUTAGE_RECHECK_MS;
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
