import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { CobaltApplication } from '../../../src/cobalt/application';
import { deriveCacheKeys } from '../../../src/infra/crypto/key-derivation';
import { RecordCipher } from '../../../src/infra/crypto/sealed-record';
import { SealedRecords } from '../../../src/infra/redis/sealed-records';
import type { SharedRedis } from '../../../src/infra/redis/shared-redis';
import { RedisIntegrationsCache } from '../../../src/integrations/integrations-cache';
import { captureLogs } from '../../support/capture-logger';

/** The commands the integrations cache uses, on a Map: enough to see what gets written. */
function inMemoryRedis() {
  const store = new Map<string, string>();
  const command = {
    get: (key: string) => Promise.resolve(store.get(key) ?? null),
    // The cache's compare-and-set script; the generation always matches here.
    eval: (_script: string, _keys: number, key: string, _generationKey: string, value: string) => {
      store.set(key, value);
      return Promise.resolve('OK');
    },
  };
  return { store, shared: { command, warn: () => undefined } as unknown as SharedRedis };
}

function setUp() {
  const redis = inMemoryRedis();
  const logs = captureLogs();
  const records = new SealedRecords(redis.shared, new RecordCipher(randomBytes(32)), {
    log: logs.log,
    kind: 'integrations',
  });
  const cache = new RedisIntegrationsCache(
    redis.shared,
    records,
    deriveCacheKeys({ namespace: 'test', nameKeys: [randomBytes(32)] }),
  );
  const events = () =>
    logs.parsed().flatMap((line) => (typeof line['event'] === 'string' ? [[line['level'], line['event']]] : []));
  return { redis, cache, events };
}

/** An org with `count` applications, each described at length. */
function applications(count: number): CobaltApplication[] {
  return Array.from({ length: count }, (_, i) => ({
    slug: `app-${String(i)}`,
    name: `Application ${String(i)}`,
    icon: `https://cdn.example.test/icons/app-${String(i)}.svg`,
    description: 'A long description of what the application does. '.repeat(4),
    authType: 'oauth2',
    connected: false,
    reauthRequired: false,
    connectedAccounts: [],
  }));
}

describe('sealed records in the Redis integrations cache', () => {
  it('does not cache a list too large for a record, and reads it as a plain miss, not as tampering', async () => {
    const { redis, cache, events } = setUp();
    const large = applications(300);
    expect(JSON.stringify(large).length).toBeGreaterThan(65_536);

    await cache.set('user-1', large, 60_000, '0');
    await cache.set('user-2', large, 60_000, '0');

    expect(redis.store.size).toBe(0);
    expect(await cache.get('user-1')).toBeUndefined();
    expect(await cache.get('user-1')).toBeUndefined();
    // Told once at info (30 is pino's info), then at debug (20); never a tamper warning.
    expect(events()).toEqual([
      [30, 'integrations-record-too-large'],
      [20, 'integrations-record-too-large'],
    ]);
  });

  it('still caches a list that fits, and still warns about a record that fails authentication', async () => {
    const { redis, cache, events } = setUp();
    const small = applications(3);

    await cache.set('user-1', small, 60_000, '0');

    expect(await cache.get('user-1')).toEqual(small);
    const [key, sealed] = [...redis.store][0]!;
    const record = JSON.parse(sealed) as { tag: string };
    redis.store.set(key, JSON.stringify({ ...record, tag: randomBytes(16).toString('base64url') }));
    expect(await cache.get('user-1')).toBeUndefined();
    expect(events()).toEqual([[40, 'integrations-record-invalid']]);
  });
});
