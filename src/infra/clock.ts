/**
 * Time as the gateway sees it. Every part whose behaviour depends on time (caches, breaker, retry
 * waits, rate limits, key sets) takes a `Clock` instead of calling `Date.now` or `setTimeout`, so
 * tests move time forward instead of sleeping (`test/support/manual-clock.ts`).
 */
export interface Clock {
  /** Wall-clock epoch milliseconds: token expiry, cache entries, anything compared with `exp`. */
  now(): number;
  /** Monotonic milliseconds with an arbitrary origin: durations and deadlines, immune to clock steps. */
  monotonic(): number;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
