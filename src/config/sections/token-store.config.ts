import { z } from 'zod';
import { Secret } from '../secret';
import { integer, optionalNonEmpty, positiveMs } from './env-values';
import type { ParseContext } from './parse-context';
import { parseRedisConnection, type RedisConnectionConfig, type redisEnv } from './redis.config';

/** Where minted tokens are kept: this process's memory, or Redis shared by every instance. */
export const tokenStoreEnv = z.object({
  REDIS_URL: optionalNonEmpty.describe(
    'One Redis node shared by every instance, `redis[s]://[user:pass@]host:port[/db]`. Unset (and no cluster or Sentinel): in-memory cache.',
  ),
  REDIS_COMMAND_TIMEOUT_MS: positiveMs(10_000)
    .default(300)
    .describe('Longest one Redis command may take; past it the cache counts as a miss.'),
  TOKEN_ENCRYPTION_KEY: optionalNonEmpty.describe(
    'Base64 of 32 random bytes sealing tokens in Redis (AES-256-GCM). Required with any Redis.',
  ),
  TOKEN_ENCRYPTION_KEYS_OLD: optionalNonEmpty.describe(
    'Comma-separated former `TOKEN_ENCRYPTION_KEY`s, still accepted for reading during a rotation.',
  ),
  TOKEN_CACHE_NAMESPACE: optionalNonEmpty.describe(
    'Names the Cobalt org and environment the cached tokens belong to. Default: `test` or `production`, from the API key prefix.',
  ),
  TOKEN_CACHE_MAX_ENTRIES: integer(1, 10_000_000)
    .default(100_000)
    .describe('Most tokens the in-memory cache holds (least recently used go first).'),
});

type TokenStoreEnv = z.output<typeof tokenStoreEnv> & z.output<typeof redisEnv>;

/**
 * Written out rather than inferred: the store follows from the Redis settings, and the Redis member needs
 * `TOKEN_ENCRYPTION_KEY` too, a rule over two variables; the union lets consumers narrow on `kind`.
 * The rate limits and the integrations cache share the Redis settings.
 */
export type TokenStoreConfig =
  | { readonly kind: 'memory'; readonly maxEntries: number }
  | {
      readonly kind: 'redis';
      readonly connection: RedisConnectionConfig;
      readonly commandTimeoutMs: number;
      readonly encryptionKey: Secret;
      readonly oldEncryptionKeys: readonly Secret[];
    };

function isAes256Key(value: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32;
}

/** Checked even without `REDIS_URL`: a malformed key is a mistake whether or not it is in use yet. */
function parseEncryptionKeys(env: TokenStoreEnv, problems: string[]) {
  const current = env.TOKEN_ENCRYPTION_KEY?.trim();
  // Not splitList: an empty entry between two commas is a mistake to report, not a blank to skip.
  const old = env.TOKEN_ENCRYPTION_KEYS_OLD?.split(',').map((key) => key.trim()) ?? [];
  if (current !== undefined && !isAes256Key(current)) {
    problems.push('TOKEN_ENCRYPTION_KEY: must be base64 of exactly 32 bytes');
  }
  for (const key of old) {
    if (!isAes256Key(key)) problems.push('TOKEN_ENCRYPTION_KEYS_OLD: must be base64 of exactly 32 bytes');
  }
  return { current, old };
}

export function parseTokenStore(env: TokenStoreEnv, context: ParseContext): TokenStoreConfig {
  const { problems } = context;
  const keys = parseEncryptionKeys(env, problems);
  const connection = parseRedisConnection(env, context);
  if (connection === undefined) return { kind: 'memory', maxEntries: env.TOKEN_CACHE_MAX_ENTRIES };
  if (keys.current === undefined) problems.push('TOKEN_ENCRYPTION_KEY: required with a Redis');
  return {
    kind: 'redis',
    connection,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    encryptionKey: new Secret(keys.current ?? ''),
    oldEncryptionKeys: keys.old.map((key) => new Secret(key)),
  };
}
