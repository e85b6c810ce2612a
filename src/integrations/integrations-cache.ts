import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../infra/clock';
import type { CacheKeys } from '../infra/crypto/key-derivation';
import type { SealedRecords } from '../infra/redis/sealed-records';
import type { SharedRedis } from '../infra/redis/shared-redis';
import type { UserIntegration } from './user-integration';

/**
 * Where integration lists are cached, per linked account. Never throws: a cache that cannot answer
 * is a miss. `set` is a compare-and-set on the account's generation, which `invalidate` bumps, so a
 * list loaded before a change (on any instance) is not stored after it.
 */
export interface IntegrationsCache {
  readonly kind: 'memory' | 'redis';
  get(linkedAccountId: string): Promise<readonly UserIntegration[] | undefined>;
  /** The account's generation, read before loading a list. */
  generation(linkedAccountId: string): Promise<string>;
  set(linkedAccountId: string, apps: readonly UserIntegration[], ttlMs: number, generation: string): Promise<void>;
  invalidate(linkedAccountId: string): Promise<void>;
}

// Cobalt's lists are small (tens of apps); this bounds the memory cache in bytes of JSON.
const MEMORY_MAX_BYTES = 64 * 1024 * 1024;

/** One process's cache (the default): invalidations reach only this instance. */
export class MemoryIntegrationsCache implements IntegrationsCache {
  readonly kind = 'memory' as const;
  readonly #entries = new LRUCache<string, { apps: readonly UserIntegration[]; expiresAt: number }>({
    maxSize: MEMORY_MAX_BYTES,
    sizeCalculation: (entry) => Math.max(1, JSON.stringify(entry.apps).length),
  });
  // Bounded like the entries: one counter per account ever invalidated would grow without end. A
  // counter only matters while a load is in flight (seconds), far shorter than its eviction takes.
  readonly #generations = new LRUCache<string, number>({ max: 100_000 });

  constructor(private readonly clock: Clock = systemClock) {}

  get(linkedAccountId: string): Promise<readonly UserIntegration[] | undefined> {
    const entry = this.#entries.get(linkedAccountId);
    return Promise.resolve(entry !== undefined && entry.expiresAt > this.clock.now() ? entry.apps : undefined);
  }

  generation(linkedAccountId: string): Promise<string> {
    return Promise.resolve(String(this.#generations.get(linkedAccountId) ?? 0));
  }

  set(linkedAccountId: string, apps: readonly UserIntegration[], ttlMs: number, generation: string): Promise<void> {
    if (String(this.#generations.get(linkedAccountId) ?? 0) === generation) {
      this.#entries.set(linkedAccountId, { apps, expiresAt: this.clock.now() + ttlMs });
    }
    return Promise.resolve();
  }

  invalidate(linkedAccountId: string): Promise<void> {
    this.#generations.set(linkedAccountId, (this.#generations.get(linkedAccountId) ?? 0) + 1);
    this.#entries.delete(linkedAccountId);
    return Promise.resolve();
  }
}

const PREFIX = 'cgw:v1:';
// A generation outlives any list (lists live seconds); a day keeps the keys from piling up.
const GENERATION_TTL_MS = 24 * 3600_000;
// Stores the list only if nobody invalidated the account since the loader read the generation.
const SET_IF_GENERATION =
  "if (redis.call('get', KEYS[2]) or '0') == ARGV[3] then return redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) else return 0 end";

type StoredApplication = Omit<UserIntegration, 'connectedAccounts'> & {
  connectedAccounts: {
    identifier: string | null;
    status: UserIntegration['connectedAccounts'][number]['status'];
    connectedAt: string | null;
  }[];
};

/**
 * The cache shared by every instance through the token cache's Redis, so that an invalidation on
 * one instance (after a connect) holds on all. Lists name the user's connected accounts (often
 * e-mail addresses), so records are sealed like tokens (AES-256-GCM, bound to their key) and keys
 * are HMACs of the account id. Commands time out fast and never queue: any failure is a miss.
 */
export class RedisIntegrationsCache implements IntegrationsCache {
  readonly kind = 'redis' as const;

  constructor(
    private readonly redis: SharedRedis,
    private readonly records: SealedRecords,
    private readonly keys: CacheKeys,
  ) {}

  async get(linkedAccountId: string): Promise<readonly UserIntegration[] | undefined> {
    const plaintext = await this.records.read(this.#listKey(linkedAccountId));
    if (plaintext === undefined) return undefined;
    const stored = JSON.parse(plaintext) as StoredApplication[];
    return stored.map((app) => ({
      ...app,
      connectedAccounts: app.connectedAccounts.map((c) => ({
        ...c,
        connectedAt: c.connectedAt === null ? null : new Date(c.connectedAt),
      })),
    }));
  }

  async generation(linkedAccountId: string): Promise<string> {
    try {
      return (await this.redis.command.get(this.#generationKey(linkedAccountId))) ?? '0';
    } catch (error) {
      this.redis.warn(error, 'redis get failed; integrations list not cached');
      // Never equal to a stored generation: the list is then not cached.
      return 'unknown';
    }
  }

  async set(
    linkedAccountId: string,
    apps: readonly UserIntegration[],
    ttlMs: number,
    generation: string,
  ): Promise<void> {
    const key = this.#listKey(linkedAccountId);
    const sealed = this.records.seal(key, JSON.stringify(apps));
    // Too large to cache: the list comes from Cobalt each time, as on a miss.
    if (sealed === undefined) return;
    try {
      await this.redis.command.eval(
        SET_IF_GENERATION,
        2,
        key,
        this.#generationKey(linkedAccountId),
        sealed,
        String(Math.max(1, Math.floor(ttlMs))),
        generation,
      );
    } catch (error) {
      this.redis.warn(error, 'redis set failed; integrations list not shared');
    }
  }

  async invalidate(linkedAccountId: string): Promise<void> {
    const generationKey = this.#generationKey(linkedAccountId);
    try {
      await this.redis.command
        .multi()
        .incr(generationKey)
        .pexpire(generationKey, GENERATION_TTL_MS)
        .del(this.#listKey(linkedAccountId))
        .exec();
    } catch (error) {
      this.redis.warn(error, 'redis invalidate failed; other instances may serve the old list until it expires');
    }
  }

  // The list and its generation are read and written together (the script, MULTI): the braces make
  // Redis Cluster hash only the account part, so both keys land on one slot.
  #listKey(linkedAccountId: string): string {
    return `${PREFIX}apps:{${this.keys.account(linkedAccountId)}}`;
  }

  #generationKey(linkedAccountId: string): string {
    return `${PREFIX}apps-gen:{${this.keys.account(linkedAccountId)}}`;
  }
}
