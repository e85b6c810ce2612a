import { randomUUID } from 'node:crypto';
import { isErrorCode } from '../errors/error-code';
import { systemClock, type Clock } from '../infra/clock';
import type { CacheKeys } from '../infra/crypto/key-derivation';
import type { SealedRecords } from '../infra/redis/sealed-records';
import type { SharedRedis } from '../infra/redis/shared-redis';
import type { CachedToken, Flight, FlightOutcome, InvalidationBus, StoreHealth, TokenStore } from './token-store';

export interface RedisTokenStoreOptions {
  readonly redis: SharedRedis;
  /** Token records, sealed with AES-256-GCM and bound to their key. */
  readonly records: SealedRecords;
  readonly keys: CacheKeys;
  readonly clock?: Clock;
}

const PREFIX = 'cgw:v1:';
// Carries both flight outcomes `{k, ok, code?}` and invalidations `{k, inv: true, from}`. An older
// instance ignores an invalidation: it has neither `ok: true` nor an error code.
const CHANNEL = `${PREFIX}flights`;
// Deletes the lock only if this instance still holds it (it may have expired and been re-taken).
const RELEASE_LOCK =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * The shared store for several instances. Tokens are sealed with AES-256-GCM; keys are HMACs of the
 * account id. Every command has a short timeout and no offline queue (ioredis would otherwise hold
 * a request for seconds while Redis is down); any failure reads as a miss.
 */
export class RedisTokenStore implements TokenStore, InvalidationBus {
  readonly kind = 'redis' as const;
  /** Tags this instance's invalidations so that it does not drop its own fresh entry on hearing them. */
  readonly #origin = randomUUID();
  #onInvalidation: ((accountKey: string) => void) | undefined;
  readonly #redis: SharedRedis;
  readonly #options: RedisTokenStoreOptions;
  readonly #clock: Clock;
  readonly #waiters = new Map<string, Set<(outcome: FlightOutcome) => void>>();

  constructor(options: RedisTokenStoreOptions) {
    this.#options = options;
    this.#redis = options.redis;
    this.#clock = options.clock ?? systemClock;
    this.#redis.onMessage(CHANNEL, (message) => this.#onFlightMessage(message));
  }

  /** The shared connections are connected by their owner; nothing of this store's own to open. */
  connect(): Promise<void> {
    return Promise.resolve();
  }

  async get(linkedAccountId: string): Promise<CachedToken | undefined> {
    const current = await this.#read(this.#tokenKey(linkedAccountId), linkedAccountId);
    if (current !== undefined) return current;
    // A miss may be a record named under a former key (an encryption-key rotation, or the layout
    // before namespaces): found there, it is served and copied under the current name, so the next
    // read is one command again.
    for (const former of this.#options.keys.formerAccounts(linkedAccountId)) {
      const value = await this.#read(`${PREFIX}tok:${former}`, linkedAccountId);
      if (value === undefined) continue;
      await this.set(linkedAccountId, value);
      return value;
    }
    return undefined;
  }

  async #read(key: string, linkedAccountId: string): Promise<CachedToken | undefined> {
    const plaintext = await this.#options.records.read(key);
    if (plaintext === undefined) return undefined;
    const value = JSON.parse(plaintext) as CachedToken;
    if (value.linkedAccountId !== linkedAccountId || value.expiresAt <= this.#clock.now()) return undefined;
    return value;
  }

  async set(linkedAccountId: string, value: CachedToken): Promise<void> {
    const key = this.#tokenKey(linkedAccountId);
    const ttlMs = Math.floor(value.expiresAt - this.#clock.now());
    if (ttlMs <= 0) return;
    const sealed = this.#options.records.seal(key, JSON.stringify(value));
    if (sealed === undefined) return;
    try {
      await this.#redis.command.set(key, sealed, 'PX', ttlMs);
    } catch (error) {
      this.#redis.warn(error, 'redis set failed; token not shared');
    }
  }

  async delete(linkedAccountId: string): Promise<void> {
    try {
      // Former names too: a revoked token must not come back through the fallback read. One DEL a
      // key: the names hash to different slots, and one DEL over several is refused by a cluster.
      const former = this.#options.keys.formerAccounts(linkedAccountId).map((name) => `${PREFIX}tok:${name}`);
      await Promise.all([this.#tokenKey(linkedAccountId), ...former].map((key) => this.#redis.command.del(key)));
    } catch (error) {
      this.#redis.warn(error, 'redis delete failed');
    }
  }

  async beginFlight(linkedAccountId: string, maxWaitMs: number): Promise<Flight> {
    const account = this.#options.keys.account(linkedAccountId);
    const lockKey = `${PREFIX}lock:${account}`;
    const holder = randomUUID();
    let acquired: string | null;
    try {
      acquired = await this.#redis.command.set(lockKey, holder, 'PX', maxWaitMs, 'NX');
    } catch (error) {
      this.#redis.warn(error, 'redis lock failed; minting without cross-instance coordination');
      return { role: 'leader', finish: () => Promise.resolve() };
    }
    if (acquired === 'OK') {
      // Double-check: another instance may have stored a fresh token between our miss and our lock.
      const stored = await this.get(linkedAccountId);
      if (stored !== undefined && stored.refreshAt > this.#clock.now()) {
        await this.#release(lockKey, holder);
        return { role: 'follower', outcome: { ok: true } };
      }
      return {
        role: 'leader',
        finish: async (outcome) => {
          try {
            await this.#redis.command.publish(CHANNEL, JSON.stringify({ k: account, ...outcome }));
          } catch (error) {
            this.#redis.warn(error, 'redis flight broadcast failed');
          }
          await this.#release(lockKey, holder);
        },
      };
    }
    return { role: 'follower', outcome: await this.#awaitLeader(account, linkedAccountId, maxWaitMs) };
  }

  async claimForceRefresh(linkedAccountId: string, intervalMs: number) {
    const key = `${PREFIX}force:${this.#options.keys.account(linkedAccountId)}`;
    try {
      if ((await this.#redis.command.set(key, '1', 'PX', intervalMs, 'NX')) === 'OK') return { ok: true as const };
      const remaining = await this.#redis.command.pttl(key);
      return { ok: false as const, retryAfterMs: remaining > 0 ? remaining : intervalMs };
    } catch (error) {
      // Without Redis the limit cannot be shared; allowing is safer than refusing every refresh,
      // and Cobalt's own budget still bounds the damage.
      this.#redis.warn(error, 'redis force-refresh limit unavailable');
      return { ok: true as const };
    }
  }

  async publishInvalidation(linkedAccountId: string): Promise<void> {
    // The former names too: an instance not yet rolled onto the new encryption key holds the account
    // under one of them, and must drop it as well.
    const { keys } = this.#options;
    const also = keys.formerAccounts(linkedAccountId);
    const message = JSON.stringify({ k: keys.account(linkedAccountId), inv: true, from: this.#origin, also });
    try {
      await this.#redis.command.publish(CHANNEL, message);
    } catch (error) {
      this.#redis.warn(error, 'redis invalidation broadcast failed');
    }
  }

  onInvalidation(handler: (accountKey: string) => void): void {
    this.#onInvalidation = handler;
  }

  health(): StoreHealth {
    return this.#redis.health();
  }

  /** Lets waiting followers go (they then mint themselves); the connections belong to their owner. */
  close(): Promise<void> {
    for (const waiters of this.#waiters.values()) for (const resolve of waiters) resolve({ ok: true });
    this.#waiters.clear();
    return Promise.resolve();
  }

  async #release(lockKey: string, holder: string): Promise<void> {
    try {
      await this.#redis.command.eval(RELEASE_LOCK, 1, lockKey, holder);
    } catch (error) {
      this.#redis.warn(error, 'redis lock release failed; it expires by itself');
    }
  }

  #tokenKey(linkedAccountId: string): string {
    return `${PREFIX}tok:${this.#options.keys.account(linkedAccountId)}`;
  }

  async #awaitLeader(account: string, linkedAccountId: string, maxWaitMs: number): Promise<FlightOutcome | 'timeout'> {
    let resolveOutcome!: (outcome: FlightOutcome | 'timeout') => void;
    const outcome = new Promise<FlightOutcome | 'timeout'>((resolve) => (resolveOutcome = resolve));
    const waiters = this.#waiters.get(account) ?? new Set();
    waiters.add(resolveOutcome);
    this.#waiters.set(account, waiters);
    const timer = setTimeout(() => resolveOutcome('timeout'), maxWaitMs);
    // The leader writes the cache before it publishes, so a fresh value here means we missed its
    // broadcast. (A stale one is what sent us here in the first place.)
    const stored = await this.get(linkedAccountId);
    if (stored !== undefined && stored.refreshAt > this.#clock.now()) resolveOutcome({ ok: true });
    try {
      return await outcome;
    } finally {
      clearTimeout(timer);
      waiters.delete(resolveOutcome);
      if (waiters.size === 0) this.#waiters.delete(account);
    }
  }

  #onFlightMessage(message: string): void {
    let parsed: {
      k?: unknown;
      ok?: unknown;
      code?: unknown;
      retryAfterSeconds?: unknown;
      inv?: unknown;
      from?: unknown;
      also?: unknown;
    };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    if (typeof parsed.k !== 'string') return;
    if (parsed.inv === true) {
      if (parsed.from === this.#origin) return;
      this.#onInvalidation?.(parsed.k);
      if (Array.isArray(parsed.also)) {
        for (const name of parsed.also) if (typeof name === 'string') this.#onInvalidation?.(name);
      }
      return;
    }
    const waiters = this.#waiters.get(parsed.k);
    if (waiters === undefined) return;
    let outcome: FlightOutcome;
    if (parsed.ok === true) outcome = { ok: true };
    else if (isErrorCode(parsed.code)) {
      outcome = {
        ok: false,
        code: parsed.code,
        ...(typeof parsed.retryAfterSeconds === 'number' && { retryAfterSeconds: parsed.retryAfterSeconds }),
      };
    } else return;
    for (const resolve of waiters) resolve(outcome);
  }
}
