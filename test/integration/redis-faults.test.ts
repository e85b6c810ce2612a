import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { FaultProxy, type Fault } from '../support/fault-proxy';
import { expectSocketsBackTo, MintLedger, openSockets, type MintOutcome } from '../support/mint-ledger';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { readiness } from '../support/probes';
import { connectInspector, newEncryptionKey, startTestRedis, type TestRedis } from '../support/redis-server';
import { freshAccount, startTestGateway, type TestGateway } from '../support/test-gateway';
import { sleep, until } from '../support/wait';
const COMMAND_TIMEOUT_MS = 200;
const DEADLINE_MS = 2000;
// A mint makes at most five Redis commands (read, lock, write, broadcast, unlock), each bounded by
// the command timeout, plus one Cobalt operation bounded by its deadline; the rest is slack for a
// loaded machine.
const MINT_BOUND_MS = 5 * COMMAND_TIMEOUT_MS + DEADLINE_MS + 1000;

interface Fixture {
  readonly gw: TestGateway;
  readonly proxy: FaultProxy;
  readonly ledger: MintLedger;
}

/**
 * Network faults between the gateway and a real redis-server, injected by
 * the fault proxy: a cache that stalls, resets or crawls must never fail or hang a mint, must show
 * in /readyz, and must be used again once it recovers, without a restart and without serving
 * anything stale or corrupt. Every test ends with the leak scan over logs, responses and every key
 * and value in Redis.
 */
describe('the token cache when the network to Redis fails', () => {
  let redis: TestRedis;
  let inspect: Redis;
  const fixtures: Fixture[] = [];
  let socketsAtStart = 0;

  beforeAll(async () => {
    redis = await startTestRedis();
    inspect = await connectInspector(redis.url);
    socketsAtStart = openSockets();
  });
  afterAll(async () => {
    inspect.disconnect();
    await redis.stop();
  });

  async function setUp(): Promise<Fixture> {
    await inspect.flushall();
    const proxy = await FaultProxy.start(redis.url);
    const gw = await startTestGateway({
      env: {
        REDIS_URL: proxy.urlFor(redis.url),
        TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
        REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
        COBALT_TIMEOUT_MS: '1000',
        COBALT_DEADLINE_MS: String(DEADLINE_MS),
      },
    });
    const fixture = { gw, proxy, ledger: new MintLedger() };
    fixtures.push(fixture);
    // Ready before any fault: on a loaded machine the first health check may still be in flight.
    await until(async () => (await readiness(gw)).status === 'ready');
    return fixture;
  }

  /** Every key and value in Redis, read directly (not through the proxy). */
  async function redisContents(): Promise<string[]> {
    const contents: string[] = [];
    for (const key of await inspect.keys('*')) {
      contents.push(key);
      if ((await inspect.type(key)) === 'string') contents.push((await inspect.get(key)) ?? '');
    }
    return contents;
  }

  const tokenKeys = async () => (await inspect.keys('cgw:v1:tok:*')).length;

  afterEach(async () => {
    const done = fixtures.splice(0);
    try {
      const stored = await redisContents();
      for (const { gw, ledger } of done) ledger.expectNothingLeaked(gw.logs.text(), stored);
    } finally {
      for (const { gw, proxy } of done) {
        await gw.stop();
        await proxy.close();
      }
    }
  });

  /**
   * Mints through the fault, then checks the cache comes back by itself once the fault clears: the
   * next mint is written to Redis and the one after is served from it, with the same token.
   */
  async function mintThrough(fault: Fault): Promise<{ during: MintOutcome[]; fixture: Fixture }> {
    const fixture = await setUp();
    const { gw, proxy, ledger } = fixture;
    const primed = await ledger.mint(gw);
    expect(primed.outcome).toBe('ok');
    expect(await tokenKeys()).toBe(1);

    await proxy.setFault(fault);
    if (fault.kind === 'reset') proxy.dropAll();
    const during = await ledger.mintMany(gw, 4);

    expect(during.map((r) => r.outcome)).toEqual(Array(4).fill('ok'));
    ledger.expectNothingLost(during, MINT_BOUND_MS);
    await until(async () => (await readiness(gw)).status === 'degraded', {
      timeoutMs: 3000,
      what: '/readyz says degraded',
    });

    await proxy.setFault({ kind: 'pass' });
    await until(async () => (await readiness(gw)).status === 'ready', {
      timeoutMs: 5000,
      what: '/readyz says ready again',
    });
    const account = freshAccount(gw.emulator);
    const before = await tokenKeys();
    const first = await ledger.mint(gw, account);
    await until(async () => (await tokenKeys()) === before + 1, {
      timeoutMs: 2000,
      what: 'the new token is written to Redis',
    });
    const calls = gw.emulator.received(SESSION_TOKEN_PATH).length;
    const second = await ledger.mint(gw, account);

    expect(second.outcome).toBe('ok');
    expect(second.token).toBe(first.token);
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(calls);
    return { during, fixture };
  }

  it('mints through Cobalt while Redis is black-holed, reports degraded, and uses Redis again once it answers', async () => {
    await mintThrough({ kind: 'blackhole' });
  });

  it('mints through Cobalt while every Redis connection is reset, and reconnects by itself', async () => {
    const { during } = await mintThrough({ kind: 'reset' });

    // Refused commands fail at once (no offline queue): a reset Redis costs a mint nothing.
    for (const { ms } of during) expect(ms).toBeLessThan(DEADLINE_MS);
  });

  it('mints through Cobalt while Redis answers slower than the command timeout, then serves nothing stale', async () => {
    const { fixture } = await mintThrough({ kind: 'latency', chunkMs: 1000 });
    const { gw, ledger } = fixture;

    // Whatever the slow Redis finally stored, a repeat mint of every account gets that account's
    // current token back: the cache holds nothing stale, foreign or corrupt.
    const again = await Promise.all(ledger.outcomes.map(({ account }) => ledger.mint(gw, account)));
    for (const repeat of again) {
      expect(repeat.outcome).toBe('ok');
      const body = JSON.parse(repeat.text) as { data: { createSessionToken: { linkedAccountId: string } } };
      expect(body.data.createSessionToken.linkedAccountId).toBe(repeat.account);
    }
    expect(gw.logs.text()).not.toContain('token-record-invalid');
  });

  it('starts while Redis is black-holed, mints degraded, and becomes ready once Redis answers', async () => {
    await inspect.flushall();
    const proxy = await FaultProxy.start(redis.url);
    await proxy.setFault({ kind: 'blackhole' });
    const startedAt = Date.now();
    const gw = await startTestGateway({
      env: {
        REDIS_URL: proxy.urlFor(redis.url),
        TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
        REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      },
    });
    const ledger = new MintLedger();
    fixtures.push({ gw, proxy, ledger });

    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect((await readiness(gw)).status).toBe('degraded');
    const during = await ledger.mintMany(gw, 2);
    expect(during.map((r) => r.outcome)).toEqual(['ok', 'ok']);
    ledger.expectNothingLost(during, MINT_BOUND_MS);

    await proxy.setFault({ kind: 'pass' });
    await until(async () => (await readiness(gw)).status === 'ready', { timeoutMs: 5000, what: '/readyz says ready' });
    const account = freshAccount(gw.emulator);
    const first = await ledger.mint(gw, account);
    const second = await ledger.mint(gw, account);

    expect(second.token).toBe(first.token);
    expect(await tokenKeys()).toBeGreaterThanOrEqual(1);
  });

  it('loses no mint while the connection to Redis flaps, and ends ready', async () => {
    const { gw, proxy, ledger } = await setUp();
    await proxy.setFault({ kind: 'flap', bad: { kind: 'reset' }, everyMs: 300 });

    const during: MintOutcome[] = [];
    for (let wave = 0; wave < 4; wave += 1) {
      during.push(...(await ledger.mintMany(gw, 3)));
      // The proxy's flap runs on real time: let it turn between waves.
      await sleep(100);
    }

    expect(during.map((r) => r.outcome)).toEqual(Array(12).fill('ok'));
    ledger.expectNothingLost(during, MINT_BOUND_MS);
    await proxy.setFault({ kind: 'pass' });
    await until(async () => (await readiness(gw)).status === 'ready', {
      timeoutMs: 5000,
      what: '/readyz says ready again',
    });
  });

  it('leaves no socket open in this process once every gateway and proxy has stopped', async () => {
    await expectSocketsBackTo(socketsAtStart);
  });
});
