import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateConnectUrlDocument,
  IntegrationDocument,
  UpsertLinkedAccountDocument,
} from '../../client/generated/graphql';
import { graphqlRequest } from '../support/graphql-request';
import { signTestJwt } from '../support/jwt';
import { mint, type Minted } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { metricsText } from '../support/probes';
import { connectInspector, newEncryptionKey, startTestRedis, type TestRedis } from '../support/redis-server';
import { freshAccount, startTestGateway, type TestGateway } from '../support/test-gateway';

const code = (result: Minted) => result.error?.extensions?.['code'];

describe('mint rate limits', () => {
  const gateways: TestGateway[] = [];
  async function gateway(env: Record<string, string>): Promise<TestGateway> {
    const gw = await startTestGateway({ env });
    gateways.push(gw);
    return gw;
  }
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gw) => gw.stop()));
  });

  it('limits createSessionToken per linked account, with retryAfterSeconds, leaving other accounts alone', async () => {
    const gw = await gateway({ RATE_LIMIT_MINTS_PER_MINUTE: '3' });
    const account = freshAccount(gw.emulator);
    for (let i = 0; i < 3; i += 1) expect((await mint(gw, account)).data?.token).toBeDefined();

    const refused = await mint(gw, account);

    expect(refused.data).toBeUndefined();
    expect(refused.error?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    const retryAfter = refused.error?.extensions?.['retryAfterSeconds'];
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await mint(gw, freshAccount(gw.emulator))).data?.token).toBeDefined();
    const metrics = await metricsText(gw);
    expect(metrics).toMatch(/^cobalt_gateway_rate_limit_rejections_total\{limit="mints-per-account"\} 1$/m);
  });

  it('counts upsertLinkedAccount and createConnectUrl against the same per-account limit, since each reaches Cobalt', async () => {
    // mint 1 + connect 2 (the integrations list it checks the slug against, then the connect) + upsert 1.
    const gw = await gateway({ RATE_LIMIT_MINTS_PER_MINUTE: '4' });
    const account = freshAccount(gw.emulator);
    const token = await signTestJwt({ sub: account });
    const connect = () => graphqlRequest(gw.url, CreateConnectUrlDocument, { token, variables: { slug: 'slack' } });
    const upsert = () =>
      graphqlRequest(gw.url, UpsertLinkedAccountDocument, { token, variables: { input: { name: 'Ada' } } });

    expect((await mint(gw, account)).data).toBeDefined();
    expect((await connect()).body.data?.createConnectUrl.url).toBeDefined();
    expect((await upsert()).body.data?.upsertLinkedAccount.accountId).toBe(account);
    const calls = gw.emulator.received().length;

    expect((await connect()).body.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    expect((await upsert()).body.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    expect(gw.emulator.received()).toHaveLength(calls);
  });

  it('counts lookups of slugs missing from the integrations list, which each cost a Cobalt call', async () => {
    const gw = await gateway({ RATE_LIMIT_MINTS_PER_MINUTE: '2', INTEGRATIONS_CACHE_TTL_S: '30' });
    const token = await signTestJwt({ sub: freshAccount(gw.emulator) });
    const lookup = (slug: string) => graphqlRequest(gw.url, IntegrationDocument, { token, variables: { slug } });

    // The list (one counted Cobalt call), then lookups of unknown slugs (one each).
    expect((await lookup('no-such-app-1')).body.errors?.[0]?.extensions?.['code']).toBe('INTEGRATION_NOT_FOUND');
    const refused = await lookup('no-such-app-2');

    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    expect((await lookup('slack')).body.data?.integration?.slug).toBe('slack');
  });

  it('refuses before any Cobalt call: a refused cache miss costs Cobalt nothing', async () => {
    const gw = await gateway({ RATE_LIMIT_IP_PER_MINUTE: '1' });
    await mint(gw, freshAccount(gw.emulator));
    const calls = gw.emulator.received(SESSION_TOKEN_PATH).length;

    expect(code(await mint(gw, freshAccount(gw.emulator)))).toBe('RATE_LIMITED');
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(calls);
  });

  it('limits per client IP and ignores X-Forwarded-For unless TRUST_PROXY says a proxy set it', async () => {
    const gw = await gateway({ RATE_LIMIT_IP_PER_MINUTE: '2' });
    await mint(gw, freshAccount(gw.emulator), { headers: { 'x-forwarded-for': '203.0.113.1' } });
    await mint(gw, freshAccount(gw.emulator), { headers: { 'x-forwarded-for': '203.0.113.2' } });

    // A forged header does not buy a new bucket: every request came from 127.0.0.1.
    const third = await mint(gw, freshAccount(gw.emulator), { headers: { 'x-forwarded-for': '203.0.113.3' } });
    expect(code(third)).toBe('RATE_LIMITED');
  });

  it('behind TRUST_PROXY=1, takes the address the proxy appended, not what the client prepended', async () => {
    const gw = await gateway({ RATE_LIMIT_IP_PER_MINUTE: '2', TRUST_PROXY: '1' });
    const fromA = { 'x-forwarded-for': '198.51.100.7' };
    const fromB = { 'x-forwarded-for': '198.51.100.8' };
    // Client A claims to be someone else; the proxy appended A's real address last.
    const aSpoofing = { 'x-forwarded-for': '192.0.2.99, 198.51.100.7' };

    expect((await mint(gw, freshAccount(gw.emulator), { headers: fromA })).data).toBeDefined();
    expect((await mint(gw, freshAccount(gw.emulator), { headers: aSpoofing })).data).toBeDefined();
    expect(code(await mint(gw, freshAccount(gw.emulator), { headers: fromA }))).toBe('RATE_LIMITED');
    expect((await mint(gw, freshAccount(gw.emulator), { headers: fromB })).data).toBeDefined();
  });
});

describe('mint rate limits shared through Redis', () => {
  let redis: TestRedis;
  const gateways: TestGateway[] = [];
  const key = newEncryptionKey();
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gw) => gw.stop()));
  });
  async function gateway(env: Record<string, string> = {}): Promise<TestGateway> {
    const gw = await startTestGateway({
      env: { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: key, RATE_LIMIT_MINTS_PER_MINUTE: '3', ...env },
    });
    gateways.push(gw);
    return gw;
  }

  it('counts one account across instances for mints that need the shared cache', async () => {
    // Without the in-process tier every mint reads Redis, so every mint is counted there.
    const a = await gateway({ TOKEN_CACHE_L1_TTL_S: '0' });
    const b = await gateway({ TOKEN_CACHE_L1_TTL_S: '0' });
    const account = freshAccount(a.emulator);
    b.emulator.addLinkedAccount(account);

    expect((await mint(a, account)).data).toBeDefined();
    expect((await mint(b, account)).data).toBeDefined();
    expect((await mint(a, account)).data).toBeDefined();
    expect(code(await mint(b, account))).toBe('RATE_LIMITED');
  });

  it('counts a mint answered from process memory on the instance alone, without a Redis command', async () => {
    const a = await gateway();
    const account = freshAccount(a.emulator);
    expect((await mint(a, account)).data).toBeDefined();
    const inspector = await connectInspector(redis.url);
    try {
      await inspector.config('RESETSTAT');

      for (let i = 0; i < 3; i += 1) expect((await mint(a, account)).data).toBeDefined();
      expect(code(await mint(a, account))).toBe('RATE_LIMITED');

      // Only the inspector's own commands and the connection's health checks ran meanwhile.
      const stats = await inspector.info('commandstats');
      const commands = [...stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)]
        .map(([, name]) => name!)
        .filter((name) => !['config', 'info', 'ping'].includes(name.split('|')[0]!));
      expect(commands).toEqual([]);
    } finally {
      inspector.disconnect();
    }
  });

  it('stores no raw account id in Redis', async () => {
    const a = await gateway();
    const account = freshAccount(a.emulator, 'visible');
    await mint(a, account);

    const client = await connectInspector(redis.url);
    const keys = await client.keys('*');
    client.disconnect();
    expect(keys.some((k) => k.startsWith('cgw:v1:rl:'))).toBe(true);
    expect(keys.join('\n')).not.toContain(account);
  });

  it('keeps limiting per instance, without errors, while Redis is down', async () => {
    const a = await gateway();
    await redis.kill();
    try {
      const account = freshAccount(a.emulator);
      for (let i = 0; i < 3; i += 1) expect((await mint(a, account)).data).toBeDefined();
      expect(code(await mint(a, account))).toBe('RATE_LIMITED');
    } finally {
      await redis.restart();
    }
  });
});

describe('the org-wide Cobalt call budget (COBALT_MAX_RPS)', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.stop();
  });

  it('spreads a burst of mints over time instead of sending it to Cobalt at once', async () => {
    gw = await startTestGateway({ env: { COBALT_MAX_RPS: '2' } });
    const accounts = Array.from({ length: 5 }, () => freshAccount(gw!.emulator));

    const results = await Promise.all(accounts.map((account) => mint(gw!, account)));

    expect(results.every((r) => r.data !== undefined)).toBe(true);
    const at = gw.emulator
      .received(SESSION_TOKEN_PATH)
      .map((r) => r.at)
      .sort((x, y) => x - y);
    expect(at).toHaveLength(5);
    // Two per one-second window: the third and fifth calls had to wait for the next windows.
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(500);
    expect(at[4]! - at[0]!).toBeGreaterThanOrEqual(1500);
  });

  it('answers COBALT_RATE_LIMITED with retryAfterSeconds when the wait would not fit the deadline', async () => {
    gw = await startTestGateway({ env: { COBALT_MAX_RPS: '1', COBALT_DEADLINE_MS: '800', COBALT_TIMEOUT_MS: '500' } });
    const accounts = Array.from({ length: 3 }, () => freshAccount(gw!.emulator));

    const results = await Promise.all(accounts.map((account) => mint(gw!, account)));

    expect(results.filter((r) => r.data !== undefined)).toHaveLength(1);
    const refused = results.filter((r) => r.error !== undefined);
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.error?.extensions).toMatchObject({ code: 'COBALT_RATE_LIMITED', retryable: true, retryAfterSeconds: 1 });
    }
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);
  });
});
