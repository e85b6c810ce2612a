import { describe, expect, it } from '@jest/globals';
import { redisEnv } from '../../../../src/config/sections/redis.config';
import { parseTokenStore, tokenStoreEnv } from '../../../../src/config/sections/token-store.config';
import { parseSection } from './parse-section';

const KEY = Buffer.alloc(32, 7).toString('base64');
const OLD_KEY = Buffer.alloc(32, 9).toString('base64');

function parse(vars: Record<string, string>) {
  return parseSection(tokenStoreEnv.extend(redisEnv.shape), parseTokenStore, vars);
}

describe('token store settings', () => {
  it('keeps tokens in memory, bounded, when no Redis is configured', () => {
    expect(parse({})).toEqual({ value: { kind: 'memory', maxEntries: 100_000 }, problems: [] });
    expect(parse({ TOKEN_CACHE_MAX_ENTRIES: '5' }).value).toEqual({ kind: 'memory', maxEntries: 5 });
  });

  it('uses Redis with the current key and every former key, trimmed', () => {
    const { value: store, problems } = parse({
      REDIS_URL: 'rediss://cache.test:6380',
      REDIS_COMMAND_TIMEOUT_MS: '50',
      TOKEN_ENCRYPTION_KEY: KEY,
      TOKEN_ENCRYPTION_KEYS_OLD: ` ${OLD_KEY} , ${KEY}`,
    });

    expect(problems).toEqual([]);
    expect(store.kind).toBe('redis');
    if (store.kind !== 'redis') return;
    expect(store.connection.topology).toEqual({ kind: 'single', url: expect.anything() });
    expect(store.connection.topology.kind === 'single' && store.connection.topology.url.reveal()).toBe(
      'rediss://cache.test:6380',
    );
    expect(store.connection.tls).toEqual({ insecure: false });
    expect(store.commandTimeoutMs).toBe(50);
    expect(store.encryptionKey.reveal()).toBe(KEY);
    expect(store.oldEncryptionKeys.map((key) => key.reveal())).toEqual([OLD_KEY, KEY]);
  });

  it('requires an encryption key with Redis, since tokens are sealed before they leave the process', () => {
    expect(parse({ REDIS_URL: 'redis://cache.test' }).problems).toEqual([
      'TOKEN_ENCRYPTION_KEY: required with a Redis',
    ]);
  });

  it('refuses a Redis URL of another scheme without quoting it', () => {
    const { problems } = parse({ REDIS_URL: 'http://user:hunter2@cache.test', TOKEN_ENCRYPTION_KEY: KEY });

    expect(problems).toEqual(['REDIS_URL: must start with redis:// or rediss://']);
  });

  it('refuses keys that are not base64 of 32 bytes, once per bad former key, even without Redis', () => {
    const short = Buffer.alloc(16, 1).toString('base64');

    expect(
      parse({ TOKEN_ENCRYPTION_KEY: short, TOKEN_ENCRYPTION_KEYS_OLD: `${OLD_KEY},,not-base64` }).problems,
    ).toEqual([
      'TOKEN_ENCRYPTION_KEY: must be base64 of exactly 32 bytes',
      'TOKEN_ENCRYPTION_KEYS_OLD: must be base64 of exactly 32 bytes',
      'TOKEN_ENCRYPTION_KEYS_OLD: must be base64 of exactly 32 bytes',
    ]);
  });
});
