import { describe, expect, it } from '@jest/globals';
import { RevokeSessionTokenDocument } from '../../client/generated/graphql';
import { startGatewayPair } from '../support/gateway-pair';
import { graphqlRequest } from '../support/graphql-request';
import { signTestJwt } from '../support/jwt';
import { mint } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { cacheEvents } from '../support/probes';
import { newEncryptionKey, startTestRedis } from '../support/redis-server';
import { ShiftedClock } from '../support/shifted-clock';
import { freshAccount, startTestGateway, type TestGateway } from '../support/test-gateway';
import { eventually } from '../support/wait';

const ACCOUNTS = 20;

/**
 * Mints over both instances and all accounts for `ms` of wall time, 20 at a time; every mint must
 * succeed. Returns how many were made.
 */
/** One mint of every account on every instance, so each holds every token in process. */
async function warm(gateways: readonly TestGateway[], accounts: readonly string[]): Promise<void> {
  for (const gateway of gateways) {
    const minted = await Promise.all(accounts.map((account) => mint(gateway, account)));
    expect(minted.filter((m) => m.error !== undefined)).toEqual([]);
  }
}

async function load(gateways: readonly TestGateway[], accounts: readonly string[], ms: number): Promise<number> {
  const end = Date.now() + ms;
  let made = 0;
  const worker = async (w: number) => {
    for (let i = w; Date.now() < end; i += 20) {
      // Every account on every instance in turn.
      const gateway = gateways[Math.floor(i / accounts.length) % gateways.length]!;
      const minted = await mint(gateway, accounts[i % accounts.length]!);
      expect(minted.error).toBeUndefined();
      made += 1;
    }
  };
  await Promise.all(Array.from({ length: 20 }, (_, w) => worker(w)));
  return made;
}

describe('the two-tier token cache: process memory in front of Redis', () => {
  it.each([
    ['on', '60'],
    ['off', '0'],
  ])('with the in-process tier %s, counts the Cobalt calls while Redis is killed mid-load', async (tier, ttl) => {
    const pair = await startGatewayPair({ TOKEN_CACHE_L1_TTL_S: ttl });
    try {
      const accounts = Array.from({ length: ACCOUNTS }, () => freshAccount(pair.a.emulator));
      await warm([pair.a, pair.b], accounts);
      const before = pair.a.emulator.received(SESSION_TOKEN_PATH).length;

      await pair.redis.kill();
      const mints = await load([pair.a, pair.b], accounts, 1_500);
      const duringOutage = pair.a.emulator.received(SESSION_TOKEN_PATH).length - before;
      await pair.redis.restart();

      // Reported for the before/after comparison; the tokens live an hour, so no L1 entry reaches
      // its refresh point in this test and none may reach Cobalt.
      process.stdout.write(`L1 ${tier}: ${String(duringOutage)} Cobalt calls for ${String(mints)} mints\n`);
      if (tier === 'on') expect(duringOutage).toBe(0);
      else expect(duringOutage).toBeGreaterThan(ACCOUNTS);
    } finally {
      await pair.stop();
    }
  });

  it('calls Cobalt during a Redis outage only for the accounts whose in-process entry reached its refresh point', async () => {
    const clock = new ShiftedClock();
    const pair = await startGatewayPair({ TOKEN_CACHE_L1_TTL_S: '60' }, { clock });
    try {
      const early = Array.from({ length: ACCOUNTS / 2 }, () => freshAccount(pair.a.emulator));
      const late = Array.from({ length: ACCOUNTS / 2 }, () => freshAccount(pair.a.emulator, 'late'));
      await warm([pair.a, pair.b], early);
      clock.advance(30_000);
      await warm([pair.a, pair.b], late);
      const before = pair.a.emulator.received(SESSION_TOKEN_PATH).length;

      await pair.redis.kill();
      // The early accounts' entries are now past their 60 s in process; the late ones are not.
      clock.advance(31_000);
      const mints = await load([pair.a, pair.b], [...early, ...late], 1_000);
      const duringOutage = pair.a.emulator.received(SESSION_TOKEN_PATH).length - before;
      await pair.redis.restart();

      process.stdout.write(`L1 refresh points: ${String(duringOutage)} Cobalt calls for ${String(mints)} mints\n`);
      expect(mints).toBeGreaterThan(ACCOUNTS);
      // At most once per instance for each early account, never for a late one.
      expect(duringOutage).toBeGreaterThanOrEqual(early.length);
      expect(duringOutage).toBeLessThanOrEqual(early.length * 2);
      const called = new Set(
        pair.a.emulator
          .received(SESSION_TOKEN_PATH)
          .slice(before)
          .map((r) => JSON.stringify(r)),
      );
      for (const account of late) expect([...called].some((r) => r.includes(account))).toBe(false);
    } finally {
      await pair.stop();
    }
  });

  it('makes one Cobalt call per instance for 50 concurrent first mints of one account with Redis down', async () => {
    const redis = await startTestRedis();
    const env = { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: newEncryptionKey() };
    // Each instance its own emulator, so each one's calls are counted apart.
    const gateways = [await startTestGateway({ env }), await startTestGateway({ env })];
    try {
      await redis.kill();
      const account = freshAccount(gateways[0]!.emulator);
      gateways[1]!.emulator.addLinkedAccount(account);
      // Spread over the instances and over time, as the measurement was: not all in one tick.
      const minted = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          await new Promise((resolve) => setTimeout(resolve, i));
          return mint(gateways[i % 2]!, account);
        }),
      );
      expect(minted.filter((m) => m.error !== undefined)).toEqual([]);
      for (const gw of gateways) expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);
    } finally {
      for (const gw of gateways) await gw.stop();
      await redis.stop();
    }
  });

  it('never serves a token revoked on another instance once the announcement has arrived', async () => {
    const pair = await startGatewayPair();
    try {
      const account = freshAccount(pair.a.emulator);
      const old = (await mint(pair.a, account)).data!.token;
      expect((await mint(pair.b, account)).data!.token).toBe(old);
      expect((await mint(pair.b, account)).data!.token).toBe(old);
      expect(await cacheEvents(pair.b, 'l1Hits')).toBeGreaterThanOrEqual(1);

      const revoked = await graphqlRequest(pair.a.url, RevokeSessionTokenDocument, {
        token: await signTestJwt({ sub: account }),
      });
      expect(revoked.body.data?.revokeSessionToken).toBe(true);
      // Without the announcement nothing arrives, and b keeps serving the old token from process
      // memory for the whole time-to-live (60 s): the assertions below then fail.
      await eventually(async () => (await cacheEvents(pair.b, 'l1Invalidations')) >= 1, 1_000);

      const after = await Promise.all(Array.from({ length: 20 }, () => mint(pair.b, account)));
      expect(after.filter((m) => m.data?.token === old).length).toBe(0);
      expect(await cacheEvents(pair.b, 'l1Invalidations')).toBe(1);
    } finally {
      await pair.stop();
    }
  });
});
