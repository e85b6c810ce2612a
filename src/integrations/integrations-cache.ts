import { Buffer } from 'node:buffer';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { CobaltApplication } from '../cobalt/application';
import type { Config } from '../config/load-config';
import type { Secret } from '../config/secret';
import type { Logger } from '../observability/logger';
import { createOutageWarner, createRedisClient } from '../redis/redis-client';
import { deriveCacheKeys, type CacheKeys } from '../session-tokens/cache-keys';
import { TokenCipher } from '../session-tokens/token-cipher';

/**
 * Where integration lists are cached, per linked account. Never throws: a cache that cannot answer
 * is a miss. `set` is a compare-and-set on the account's generation, which `invalidate` bumps, so a
 * list loaded before a change (on any instance) is not stored after it.
 */
export interface IntegrationsCache {
  readonly kind: 'memory' | 'redis';
  connect(): Promise<void>;
  get(linkedAccountId: string): Promise<readonly CobaltApplication[] | undefined>;
  /** The account's generation, read before loading a list. */
  generation(linkedAccountId: string): Promise<string>;
  set(linkedAccountId: string, apps: readonly CobaltApplication[], ttlMs: number, generation: string): Promise<void>;
  invalidate(linkedAccountId: string): Promise<void>;
  close(): Promise<void>;
}

// Cobalt's lists are small (tens of apps); this bounds the memory cache in bytes of JSON.
const MEMORY_MAX_BYTES = 64 * 1024 * 1024;

/** One process's cache (the default): invalidations reach only this instance. */
export class MemoryIntegrationsCache implements IntegrationsCache {
  readonly kind = 'memory' as const;
  readonly #entries = new LRUCache<string, { apps: readonly CobaltApplication[]; expiresAt: number }>({
    maxSize: MEMORY_MAX_BYTES,
    sizeCalculation: (entry) => Math.max(1, JSON.stringify(entry.apps).length),
  });
  // Bounded like the entries: one counter per account ever invalidated would grow without end. A
  // counter only matters while a load is in flight (seconds), far shorter than its eviction takes.
  readonly #generations = new LRUCache<string, number>({ max: 100_000 });

  constructor(private readonly now: () => number = Date.now) {}

  connect(): Promise<void> {
    return Promise.resolve();
  }

  get(linkedAccountId: string): Promise<readonly CobaltApplication[] | undefined> {
    const entry = this.#entries.get(linkedAccountId);
    return Promise.resolve(entry !== undefined && entry.expiresAt > this.now() ? entry.apps : undefined);
  }

  generation(linkedAccountId: string): Promise<string> {
    return Promise.resolve(String(this.#generations.get(linkedAccountId) ?? 0));
  }

  set(linkedAccountId: string, apps: readonly CobaltApplication[], ttlMs: number, generation: string): Promise<void> {
    if (String(this.#generations.get(linkedAccountId) ?? 0) === generation) {
      this.#entries.set(linkedAccountId, { apps, expiresAt: this.now() + ttlMs });
    }
    return Promise.resolve();
  }

  invalidate(linkedAccountId: string): Promise<void> {
    this.#generations.set(linkedAccountId, (this.#generations.get(linkedAccountId) ?? 0) + 1);
    this.#entries.delete(linkedAccountId);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const PREFIX = 'cgw:v1:';
// A generation outlives any list (lists live seconds); a day keeps the keys from piling up.
const GENERATION_TTL_MS = 24 * 3600_000;
// Stores the list only if nobody invalidated the account since the loader read the generation.
const SET_IF_GENERATION =
  "if (redis.call('get', KEYS[2]) or '0') == ARGV[3] then return redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) else return 0 end";

type StoredApplication = Omit<CobaltApplication, 'connectedAccounts'> & {
  connectedAccounts: {
    identifier: string | null;
    status: CobaltApplication['connectedAccounts'][number]['status'];
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
  readonly #client: Redis;
  readonly #warn: (error: unknown, message: string) => void;

  constructor(
    private readonly options: {
      readonly url: string;
      readonly commandTimeoutMs: number;
      readonly keys: CacheKeys;
      readonly cipher: TokenCipher;
      readonly log: Logger;
    },
  ) {
    this.#warn = createOutageWarner(options.log, { store: 'redis', cache: 'integrations' });
    this.#client = createRedisClient(options.url, { commandTimeoutMs: options.commandTimeoutMs });
    this.#client.on('error', (error: unknown) => this.#warn(error, 'redis connection error (integrations cache)'));
  }

  async connect(): Promise<void> {
    await this.#client.connect().catch((error: unknown) => this.#warn(error, 'redis unavailable at start'));
  }

  async get(linkedAccountId: string): Promise<readonly CobaltApplication[] | undefined> {
    const key = this.#listKey(linkedAccountId);
    let sealed: string | null;
    try {
      sealed = await this.#client.get(key);
    } catch (error) {
      this.#warn(error, 'redis get failed; integrations cache miss');
      return undefined;
    }
    if (sealed === null) return undefined;
    const opened = this.options.cipher.open(sealed, key);
    if (!opened.ok) return undefined;
    const stored = JSON.parse(opened.plaintext) as StoredApplication[];
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
      return (await this.#client.get(this.#generationKey(linkedAccountId))) ?? '0';
    } catch (error) {
      this.#warn(error, 'redis get failed; integrations list not cached');
      // Never equal to a stored generation: the list is then not cached.
      return 'unknown';
    }
  }

  async set(
    linkedAccountId: string,
    apps: readonly CobaltApplication[],
    ttlMs: number,
    generation: string,
  ): Promise<void> {
    const key = this.#listKey(linkedAccountId);
    try {
      await this.#client.eval(
        SET_IF_GENERATION,
        2,
        key,
        this.#generationKey(linkedAccountId),
        this.options.cipher.seal(JSON.stringify(apps), key),
        String(Math.max(1, Math.floor(ttlMs))),
        generation,
      );
    } catch (error) {
      this.#warn(error, 'redis set failed; integrations list not shared');
    }
  }

  async invalidate(linkedAccountId: string): Promise<void> {
    const generationKey = this.#generationKey(linkedAccountId);
    try {
      await this.#client
        .multi()
        .incr(generationKey)
        .pexpire(generationKey, GENERATION_TTL_MS)
        .del(this.#listKey(linkedAccountId))
        .exec();
    } catch (error) {
      this.#warn(error, 'redis invalidate failed; other instances may serve the old list until it expires');
    }
  }

  close(): Promise<void> {
    this.#client.disconnect();
    return Promise.resolve();
  }

  #listKey(linkedAccountId: string): string {
    return `${PREFIX}apps:${this.options.keys.account(linkedAccountId)}`;
  }

  #generationKey(linkedAccountId: string): string {
    return `${PREFIX}apps-gen:${this.options.keys.account(linkedAccountId)}`;
  }
}

/** The cache that goes with the token cache's store: Redis when the tokens are shared, else memory. */
export function createIntegrationsCache(
  settings: Config['tokenCache']['store'],
  deps: { apiKey: Secret; log: Logger; now?: () => number },
): IntegrationsCache {
  if (settings.kind === 'memory') return new MemoryIntegrationsCache(deps.now);
  const key = (secret: Secret) => Buffer.from(secret.reveal().trim(), 'base64');
  return new RedisIntegrationsCache({
    url: settings.url.reveal(),
    commandTimeoutMs: settings.commandTimeoutMs,
    keys: deriveCacheKeys(deps.apiKey),
    cipher: new TokenCipher(key(settings.encryptionKey), settings.oldEncryptionKeys.map(key)),
    log: deps.log,
  });
}
