import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../infra/clock';
import type { CacheKeys } from '../infra/crypto/key-derivation';
import type { CachedToken, Flight, TokenStore } from './token-store';

/**
 * The embedded default: an in-process LRU bounded by entry count, each entry living until its
 * token expires. Single flight within the process is the service's job, so every flight leads.
 * Keys are the environment fingerprint and the raw account id: they never leave the process, so
 * the HMAC the shared store needs would only cost CPU on every lookup.
 */
export class MemoryTokenStore implements TokenStore {
  readonly kind = 'memory' as const;
  readonly #tokens: LRUCache<string, CachedToken>;
  readonly #forced: LRUCache<string, number>;
  readonly #keys: CacheKeys;
  readonly #clock: Clock;

  constructor(options: { maxEntries: number; keys: CacheKeys; clock?: Clock }) {
    this.#keys = options.keys;
    this.#clock = options.clock ?? systemClock;
    this.#tokens = new LRUCache({ max: options.maxEntries });
    this.#forced = new LRUCache({ max: options.maxEntries });
  }

  #key(linkedAccountId: string): string {
    return `${this.#keys.environment}:${linkedAccountId}`;
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  get(linkedAccountId: string): Promise<CachedToken | undefined> {
    const value = this.#tokens.get(this.#key(linkedAccountId));
    // Expiry is checked against the injected clock rather than lru-cache's TTL timers, so the
    // service and the store agree on "now" (and tests can move it).
    if (value !== undefined && value.expiresAt <= this.#clock.now()) {
      this.#tokens.delete(this.#key(linkedAccountId));
      return Promise.resolve(undefined);
    }
    return Promise.resolve(value);
  }

  set(linkedAccountId: string, value: CachedToken): Promise<void> {
    this.#tokens.set(this.#key(linkedAccountId), value);
    return Promise.resolve();
  }

  delete(linkedAccountId: string): Promise<void> {
    this.#tokens.delete(this.#key(linkedAccountId));
    return Promise.resolve();
  }

  beginFlight(): Promise<Flight> {
    return Promise.resolve({ role: 'leader', finish: () => Promise.resolve() });
  }

  claimForceRefresh(linkedAccountId: string, intervalMs: number) {
    const key = this.#key(linkedAccountId);
    const now = this.#clock.now();
    const last = this.#forced.get(key);
    if (last !== undefined && now - last < intervalMs) {
      return Promise.resolve({ ok: false as const, retryAfterMs: intervalMs - (now - last) });
    }
    this.#forced.set(key, now);
    return Promise.resolve({ ok: true as const });
  }

  health() {
    return 'ok' as const;
  }

  close(): Promise<void> {
    this.#tokens.clear();
    return Promise.resolve();
  }

  /** Entries held, for the memory measurement in the README. */
  get size(): number {
    return this.#tokens.size;
  }
}
