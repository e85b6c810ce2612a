import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../infra/clock';
import type { CacheKeys } from '../infra/crypto/key-derivation';
import type { CachedToken, Flight, InvalidationBus, StoreHealth, TokenStore } from './token-store';

export interface TwoTierOptions {
  /** Most entries held in process; least recently used go first. */
  readonly maxEntries: number;
  /** Longest an entry is served from process memory without reading the shared store again. */
  readonly ttlMs: number;
  readonly keys: CacheKeys;
  /** Where other instances announce changes; without one, only the time-to-live bounds staleness. */
  readonly bus?: InvalidationBus;
  readonly clock?: Clock;
}

/** What the in-process tier did, exported with the token cache's other counters. */
export interface TwoTierStats {
  /** Reads answered from process memory: no network, no decryption. */
  l1Hits: number;
  /** Reads that went to the shared store (one Redis command each, for the Redis store). */
  l2Reads: number;
  /** Entries dropped because another instance announced a change. */
  l1Invalidations: number;
}

interface L1Entry {
  readonly value: CachedToken;
  /** After this instant the entry is confirmed against the shared store before it is served again. */
  readonly confirmBy: number;
}

/**
 * An in-process tier in front of any `TokenStore` (in practice the Redis one). A read the process
 * can answer costs no network and no decryption; a miss reads the shared store and keeps what it
 * found; a write or delete goes to both and is announced, so other instances drop their copy.
 *
 * An entry is served from here only while both hold: the token is before its own `refreshAt`, and
 * the entry is younger than the time-to-live. Past either, the shared store is asked again. When the
 * shared store has nothing (or is unreachable), an entry inside its time-to-live is still handed
 * back, so the service can serve it stale if Cobalt also fails; past the time-to-live it is dropped,
 * which bounds how long a token revoked elsewhere can be served when the announcement was lost.
 */
export class TwoTierTokenStore implements TokenStore {
  readonly stats: TwoTierStats = { l1Hits: 0, l2Reads: 0, l1Invalidations: 0 };
  readonly #inner: TokenStore;
  readonly #options: TwoTierOptions;
  readonly #clock: Clock;
  readonly #entries: LRUCache<string, L1Entry>;
  /** Bumped on every invalidation heard; a read that overlapped one does not fill the tier. */
  #epoch = 0;
  readonly #invalidatedAt: LRUCache<string, number>;

  constructor(inner: TokenStore, options: TwoTierOptions) {
    this.#inner = inner;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#entries = new LRUCache({ max: options.maxEntries });
    this.#invalidatedAt = new LRUCache({ max: options.maxEntries });
    options.bus?.onInvalidation((accountKey) => this.#invalidate(accountKey));
  }

  get kind(): TokenStore['kind'] {
    return this.#inner.kind;
  }

  connect(): Promise<void> {
    return this.#inner.connect();
  }

  peek(linkedAccountId: string): CachedToken | undefined {
    return this.#peek(this.#options.keys.account(linkedAccountId));
  }

  async get(linkedAccountId: string): Promise<CachedToken | undefined> {
    // The account's name is an HMAC: computed once per read, not once per tier.
    const key = this.#options.keys.account(linkedAccountId);
    const local = this.#peek(key);
    if (local !== undefined) return local;
    const epoch = this.#epoch;
    this.stats.l2Reads += 1;
    const shared = await this.#inner.get(linkedAccountId);
    if (shared !== undefined) {
      // An invalidation heard while this read was in flight may be about a newer value than the one read.
      if ((this.#invalidatedAt.get(key) ?? -1) <= epoch) this.#fill(key, shared);
      return shared;
    }
    // The shared store has nothing, or cannot answer (a failed read is a miss). Inside its
    // time-to-live the entry still serves as the stale fallback; past it, it goes.
    const after = this.#clock.now();
    const current = this.#entries.get(key);
    if (current === undefined) return undefined;
    if (after >= current.confirmBy || after >= current.value.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    return current.value;
  }

  async set(linkedAccountId: string, value: CachedToken): Promise<void> {
    const key = this.#options.keys.account(linkedAccountId);
    // A read of ours still in flight holds the value this replaces: it must not refill the tier.
    this.#changedHere(key);
    // Kept here first: requests arriving while Redis is slow or away are answered from process memory.
    this.#fill(key, value);
    await this.#inner.set(linkedAccountId, value);
    await this.#options.bus?.publishInvalidation(linkedAccountId);
  }

  async delete(linkedAccountId: string): Promise<void> {
    // Dropped here before anything can fail: this instance's own revoke takes effect at once, and a
    // read of ours still in flight (it may hold the revoked token) does not refill the tier.
    const key = this.#options.keys.account(linkedAccountId);
    this.#changedHere(key);
    this.#entries.delete(key);
    await this.#inner.delete(linkedAccountId);
    await this.#options.bus?.publishInvalidation(linkedAccountId);
  }

  beginFlight(linkedAccountId: string, maxWaitMs: number): Promise<Flight> {
    return this.#inner.beginFlight(linkedAccountId, maxWaitMs);
  }

  claimForceRefresh(linkedAccountId: string, intervalMs: number) {
    return this.#inner.claimForceRefresh(linkedAccountId, intervalMs);
  }

  health(): StoreHealth {
    return this.#inner.health();
  }

  close(): Promise<void> {
    this.#entries.clear();
    return this.#inner.close();
  }

  /** Entries held in process. */
  get size(): number {
    return this.#entries.size;
  }

  #peek(key: string): CachedToken | undefined {
    const now = this.#clock.now();
    const held = this.#entries.get(key);
    if (held === undefined || now >= held.confirmBy || now >= held.value.refreshAt) return undefined;
    this.stats.l1Hits += 1;
    return held.value;
  }

  #fill(key: string, value: CachedToken): void {
    const now = this.#clock.now();
    if (value.expiresAt <= now) return;
    this.#entries.set(key, { value, confirmBy: now + this.#options.ttlMs });
  }

  #invalidate(accountKey: string): void {
    this.#changedHere(accountKey);
    if (this.#entries.delete(accountKey)) this.stats.l1Invalidations += 1;
  }

  /** Marks the account changed now: a shared-store read that began before must not fill the tier. */
  #changedHere(accountKey: string): void {
    this.#epoch += 1;
    this.#invalidatedAt.set(accountKey, this.#epoch);
  }
}
