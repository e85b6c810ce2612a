import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { keyId } from '../../src/infra/crypto/sealed-record';
import { mint } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { readiness } from '../support/probes';
import { connectInspector, newEncryptionKey, startTestRedis, type TestRedis } from '../support/redis-server';
import { freshAccount, startTestGateway, type TestGateway } from '../support/test-gateway';
import { until } from '../support/wait';

async function dump(redis: Redis): Promise<{ key: string; value: string; pttl: number }[]> {
  const keys = await redis.keys('*');
  return Promise.all(
    keys.map(async (key) => ({ key, value: (await redis.get(key)) ?? '', pttl: await redis.pttl(key) })),
  );
}

describe('the session-token cache in Redis: sharing, sealing, tampering, rotation', () => {
  let redis: TestRedis;
  let inspect: Redis;
  const k1 = newEncryptionKey();

  beforeAll(async () => {
    redis = await startTestRedis();
    inspect = await connectInspector(redis.url);
  });
  afterAll(async () => {
    inspect.disconnect();
    await redis.stop();
  });

  it('shares a minted token with another instance, sealed so neither token nor account id is readable', async () => {
    await inspect.flushall();
    const a = await startTestGateway({ env: { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: k1 } });
    const b = await startTestGateway({ env: { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: k1 } });
    try {
      const account = freshAccount(a.emulator);
      const minted = await mint(a, account);
      // b has an emulator of its own: answering with a's token without calling it proves Redis served it.
      b.emulator.addLinkedAccount(account);

      const shared = await mint(b, account);

      expect(shared.data!.token).toBe(minted.data!.token);
      expect(b.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(0);
      const [header, payload, signature] = minted.data!.token.split('.');
      for (const { key, value, pttl } of await dump(inspect)) {
        for (const secret of [minted.data!.token, payload!, signature!, account, header!]) {
          expect(key).not.toContain(secret);
          expect(value).not.toContain(secret);
        }
        if (key.includes(':tok:')) {
          expect(Object.keys(JSON.parse(value) as object).sort()).toEqual(['ct', 'iv', 'kid', 'tag', 'v']);
          expect(pttl).toBeGreaterThan(0);
          expect(pttl).toBeLessThanOrEqual(new Date(minted.data!.expiresAt).getTime() - Date.now() + 1000);
        }
      }
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('treats a tampered record as a miss and never hands one account the record of another', async () => {
    await inspect.flushall();
    // The in-process tier would answer from memory and never read the tampered records: off here.
    const gw = await startTestGateway({
      env: { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: newEncryptionKey(), TOKEN_CACHE_L1_TTL_S: '0' },
    });
    try {
      const alice = freshAccount(gw.emulator, 'alice');
      const bob = freshAccount(gw.emulator, 'bob');
      const tokens = { [alice]: (await mint(gw, alice)).data!.token, [bob]: (await mint(gw, bob)).data!.token };
      // Keys are HMACs, so Redis cannot tell whose record is whose: corrupt one, copy it over the other.
      const [first, second] = (await dump(inspect)).filter((r) => r.key.includes(':tok:'));
      const sealed = JSON.parse(first!.value) as { ct: string };
      const flipped = Buffer.from(sealed.ct, 'base64url');
      flipped[0] = flipped[0]! ^ 0xff;
      await inspect.set(second!.key, first!.value, 'KEEPTTL');
      await inspect.set(first!.key, JSON.stringify({ ...sealed, ct: flipped.toString('base64url') }), 'KEEPTTL');
      const callsBefore = gw.emulator.received(SESSION_TOKEN_PATH).length;

      const again = { [alice]: await mint(gw, alice), [bob]: await mint(gw, bob) };

      // Both records fail authentication (one corrupted, one bound to another key): two fresh mints.
      expect(gw.emulator.received(SESSION_TOKEN_PATH).length - callsBefore).toBe(2);
      for (const [account, other] of [
        [alice, bob],
        [bob, alice],
      ] as const) {
        expect(again[account]!.data!.linkedAccountId).toBe(account);
        expect(again[account]!.data!.token).not.toBe(tokens[other]);
      }
      expect(gw.logs.text()).toContain('"event":"token-record-invalid"');
    } finally {
      await gw.stop();
    }
  });

  it('reads records sealed with an old key during rotation, copies them under the new key, and misses the rest once the key is retired', async () => {
    await inspect.flushall();
    const k1 = newEncryptionKey();
    const k2 = newEncryptionKey();
    const before = await startTestGateway({ env: { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: k1 } });
    const account = freshAccount(before.emulator);
    const untouched = freshAccount(before.emulator);
    const minted = (await mint(before, account)).data!.token;
    const untouchedMinted = (await mint(before, untouched)).data!.token;
    await before.stop();
    const kidOf = async () =>
      (await dump(inspect))
        .filter((r) => r.key.includes(':tok:'))
        .map((r) => (JSON.parse(r.value) as { kid: string }).kid);
    const [kid1, kid2] = [keyId(Buffer.from(k1, 'base64')), keyId(Buffer.from(k2, 'base64'))];
    expect(await kidOf()).toEqual([kid1, kid1]);

    const rotating = await startTestGateway({
      env: { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: k2, TOKEN_ENCRYPTION_KEYS_OLD: k1 },
    });
    rotating.emulator.addLinkedAccount(account);
    const duringRotation = await mint(rotating, account);
    const other = freshAccount(rotating.emulator);
    await mint(rotating, other);
    await rotating.stop();

    const retired = await startTestGateway({ env: { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: k2 } });
    retired.emulator.addLinkedAccount(account);
    retired.emulator.addLinkedAccount(untouched);
    const afterRetirement = await mint(retired, account);
    const untouchedAfter = await mint(retired, untouched);
    await retired.stop();

    expect(duringRotation.data!.token).toBe(minted);
    expect(rotating.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);
    // The records under the old key's names stay until they expire; nothing reads them any more.
    expect((await kidOf()).sort()).toEqual([kid1, kid1, kid2, kid2, kid2].sort());
    expect(afterRetirement.data!.token).toBe(minted);
    expect(untouchedAfter.error).toBeUndefined();
    expect(untouchedAfter.data!.token).not.toBe(untouchedMinted);
    expect(retired.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);
  });
});

describe('when Redis fails', () => {
  let redis: TestRedis;
  let gw: TestGateway;

  beforeAll(async () => {
    redis = await startTestRedis();
    gw = await startTestGateway({
      env: { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: newEncryptionKey(), REDIS_COMMAND_TIMEOUT_MS: '200' },
    });
  });
  afterAll(async () => {
    await gw.stop();
    await redis.stop();
  });

  it('keeps minting through Cobalt while Redis is dead, reports degraded, and uses Redis again once it is back', async () => {
    expect(await readiness(gw)).toMatchObject({ status: 'ready' });

    await redis.kill();
    const startedAt = Date.now();
    const during = await Promise.all(Array.from({ length: 10 }, () => mint(gw, freshAccount(gw.emulator))));
    const elapsed = Date.now() - startedAt;
    await until(async () => (await readiness(gw)).status === 'degraded');

    expect(during.every((r) => r.error === undefined && r.data !== undefined)).toBe(true);
    expect(elapsed).toBeLessThan(3000);
    expect((await readiness(gw)).checks).toEqual({
      tokenCache: 'redis:degraded',
      cobaltBreaker: 'closed',
      overload: 'off',
    });

    await redis.restart();
    await until(async () => (await readiness(gw)).status === 'ready');
    const account = freshAccount(gw.emulator);
    await mint(gw, account);
    const inspect = await connectInspector(redis.url);
    try {
      expect((await inspect.keys('cgw:v1:tok:*')).length).toBe(1);
    } finally {
      inspect.disconnect();
    }
  }, 30_000);

  it('starts and mints with Redis down, and coalesces across instances once Redis is back', async () => {
    await redis.kill();
    const key = newEncryptionKey();
    const env = { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: key, COBALT_TIMEOUT_MS: '1500' };
    const cold = await startTestGateway({ env });
    let warm: TestGateway | undefined;
    try {
      const first = await mint(cold, freshAccount(cold.emulator));
      expect(first.error).toBeUndefined();
      expect((await readiness(cold)).status).toBe('degraded');

      await redis.restart();
      await until(async () => (await readiness(cold)).status === 'ready');
      warm = await startTestGateway({ env, cobaltBaseUrl: cold.emulator.url });
      const account = freshAccount(cold.emulator);
      cold.emulator.addFault({ type: 'latency', ms: 400 }, { times: 1 });
      const before = cold.emulator.received(SESSION_TOKEN_PATH).length;
      const led = mint(warm, account);
      await until(() => cold.emulator.received(SESSION_TOKEN_PATH).length > before);
      const startedAt = Date.now();
      const followed = await mint(cold, account);

      // `cold` never subscribed while Redis was down: without re-subscribing it would miss the
      // leader's broadcast, wait out the flight (4 s) and mint a second time.
      expect((await led).data!.token).toBe(followed.data!.token);
      expect(cold.emulator.received(SESSION_TOKEN_PATH).length - before).toBe(1);
      expect(Date.now() - startedAt).toBeLessThan(2000);
    } finally {
      await warm?.stop();
      await cold.stop();
    }
  }, 30_000);
});
