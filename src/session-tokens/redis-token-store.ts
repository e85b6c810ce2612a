import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isErrorCode } from '../errors/error-code';
import type { Logger } from '../observability/logger';
import { createOutageWarner, createRedisClient } from '../redis/redis-client';
import type { CacheKeys } from './cache-keys';
import type { TokenCipher } from './token-cipher';
import type { CachedToken, Flight, FlightOutcome, StoreHealth, TokenStore } from './token-store';

export interface RedisTokenStoreOptions {
  readonly url: string;
  /** Longest a single Redis command may take before the store gives up on it. */
  readonly commandTimeoutMs: number;
  readonly keys: CacheKeys;
  readonly cipher: TokenCipher;
  readonly log: Logger;
  readonly now?: () => number;
}

const PREFIX = 'cgw:v1:';
const CHANNEL = `${PREFIX}flights`;
// Deletes the lock only if this instance still holds it (it may have expired and been re-taken).
const RELEASE_LOCK =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * The shared store for several instances. Tokens are sealed with AES-256-GCM; keys are HMACs of the
 * account id. Every command has a short timeout and no offline queue (ioredis would otherwise hold
 * a request for seconds while Redis is down, RELIABILITY.md §0.8); any failure reads as a miss.
 */
export class RedisTokenStore implements TokenStore {
  readonly kind = 'redis' as const;
  readonly #client: Redis;
  readonly #subscriber: Redis;
  readonly #options: RedisTokenStoreOptions;
  readonly #now: () => number;
  readonly #waiters = new Map<string, Set<(outcome: FlightOutcome) => void>>();
  readonly #warn: (error: unknown, message: string) => void;

  constructor(options: RedisTokenStoreOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#warn = createOutageWarner(options.log, { store: 'redis' });
    this.#client = createRedisClient(options.url, { commandTimeoutMs: options.commandTimeoutMs });
    this.#subscriber = createRedisClient(options.url, { commandTimeoutMs: options.commandTimeoutMs, subscriber: true });
    for (const connection of [this.#client, this.#subscriber]) {
      connection.on('error', (error: unknown) => this.#warn(error, 'redis connection error'));
    }
    this.#subscriber.on('message', (_channel: string, message: string) => this.#onFlightMessage(message));
    // Subscribe on every (re)connection: a SUBSCRIBE queued while Redis was down at start is
    // dropped, and ioredis only re-subscribes channels whose subscribe once succeeded.
    this.#subscriber.on('ready', () => {
      this.#subscriber.subscribe(CHANNEL).catch((error: unknown) => this.#warn(error, 'redis subscribe failed'));
    });
  }

  /** Connects both connections; resolves even when Redis is down (the store then runs degraded). */
  async connect(): Promise<void> {
    await Promise.all(
      [this.#client, this.#subscriber].map((c) =>
        c.connect().catch((error: unknown) => this.#warn(error, 'redis unavailable at start')),
      ),
    );
    await this.#subscriber.subscribe(CHANNEL).catch((error: unknown) => this.#warn(error, 'redis subscribe failed'));
  }

  async get(linkedAccountId: string): Promise<CachedToken | undefined> {
    const key = this.#tokenKey(linkedAccountId);
    let sealed: string | null;
    try {
      sealed = await this.#client.get(key);
    } catch (error) {
      this.#warn(error, 'redis get failed; treating as a miss');
      return undefined;
    }
    if (sealed === null) return undefined;
    const opened = this.#options.cipher.open(sealed, key);
    if (!opened.ok) {
      // A record sealed with a retired key is an ordinary miss; anything else was tampered with.
      if (opened.reason === 'invalid')
        this.#options.log.warn({ event: 'token-record-invalid' }, 'cached token record failed authentication');
      return undefined;
    }
    const value = JSON.parse(opened.plaintext) as CachedToken;
    if (value.linkedAccountId !== linkedAccountId || value.expiresAt <= this.#now()) return undefined;
    return value;
  }

  async set(linkedAccountId: string, value: CachedToken): Promise<void> {
    const key = this.#tokenKey(linkedAccountId);
    const ttlMs = Math.floor(value.expiresAt - this.#now());
    if (ttlMs <= 0) return;
    try {
      await this.#client.set(key, this.#options.cipher.seal(JSON.stringify(value), key), 'PX', ttlMs);
    } catch (error) {
      this.#warn(error, 'redis set failed; token not shared');
    }
  }

  async delete(linkedAccountId: string): Promise<void> {
    try {
      await this.#client.del(this.#tokenKey(linkedAccountId));
    } catch (error) {
      this.#warn(error, 'redis delete failed');
    }
  }

  async beginFlight(linkedAccountId: string, maxWaitMs: number): Promise<Flight> {
    const account = this.#options.keys.account(linkedAccountId);
    const lockKey = `${PREFIX}lock:${account}`;
    const holder = randomUUID();
    let acquired: string | null;
    try {
      acquired = await this.#client.set(lockKey, holder, 'PX', maxWaitMs, 'NX');
    } catch (error) {
      this.#warn(error, 'redis lock failed; minting without cross-instance coordination');
      return { role: 'leader', finish: () => Promise.resolve() };
    }
    if (acquired === 'OK') {
      // Double-check: another instance may have stored a fresh token between our miss and our lock.
      const stored = await this.get(linkedAccountId);
      if (stored !== undefined && stored.refreshAt > this.#now()) {
        await this.#release(lockKey, holder);
        return { role: 'follower', outcome: { ok: true } };
      }
      return {
        role: 'leader',
        finish: async (outcome) => {
          try {
            await this.#client.publish(CHANNEL, JSON.stringify({ k: account, ...outcome }));
          } catch (error) {
            this.#warn(error, 'redis flight broadcast failed');
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
      if ((await this.#client.set(key, '1', 'PX', intervalMs, 'NX')) === 'OK') return { ok: true as const };
      const remaining = await this.#client.pttl(key);
      return { ok: false as const, retryAfterMs: remaining > 0 ? remaining : intervalMs };
    } catch (error) {
      // Without Redis the limit cannot be shared; allowing is safer than refusing every refresh,
      // and Cobalt's own budget still bounds the damage.
      this.#warn(error, 'redis force-refresh limit unavailable');
      return { ok: true as const };
    }
  }

  health(): StoreHealth {
    return this.#client.status === 'ready' ? 'ok' : 'degraded';
  }

  async close(): Promise<void> {
    for (const waiters of this.#waiters.values()) for (const resolve of waiters) resolve({ ok: true });
    this.#waiters.clear();
    this.#subscriber.disconnect();
    this.#client.disconnect();
    return Promise.resolve();
  }

  async #release(lockKey: string, holder: string): Promise<void> {
    try {
      await this.#client.eval(RELEASE_LOCK, 1, lockKey, holder);
    } catch (error) {
      this.#warn(error, 'redis lock release failed; it expires by itself');
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
    if (stored !== undefined && stored.refreshAt > this.#now()) resolveOutcome({ ok: true });
    try {
      return await outcome;
    } finally {
      clearTimeout(timer);
      waiters.delete(resolveOutcome);
      if (waiters.size === 0) this.#waiters.delete(account);
    }
  }

  #onFlightMessage(message: string): void {
    let parsed: { k?: unknown; ok?: unknown; code?: unknown; retryAfterSeconds?: unknown };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    if (typeof parsed.k !== 'string') return;
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
