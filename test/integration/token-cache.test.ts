import { afterEach, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { RevokeSessionTokenDocument } from '../../client/generated/graphql';
import { signTestJwt } from '../support/jwt';
import { graphqlRequest } from '../support/graphql-request';
import { mint } from '../support/mint';
import { REVOKE_PATH, SESSION_TOKEN_PATH } from '../support/operations';
import { freshAccount } from '../support/test-gateway';
import { useTestGateway } from '../support/use-test-gateway';
import { systemClock } from '../../src/infra/clock';

const HOUR = 3600_000;

describe('the session-token cache (in memory)', () => {
  let clockOffsetMs = 0;
  const gw = useTestGateway({
    // Attempts long enough that a loaded CI machine does not time one out and retry it, which
    // would add a Cobalt call to the exact counts below.
    env: { TOKEN_FORCE_REFRESH_INTERVAL_S: '30', COBALT_TIMEOUT_MS: '3000', COBALT_DEADLINE_MS: '3500' },
    // The gateway's wall clock only (Cobalt's emulator issues on real time); bearer tokens follow it.
    clock: { ...systemClock, now: () => Date.now() + clockOffsetMs },
  });
  const cobaltCalls = (account?: string) =>
    gw.emulator
      .received(SESSION_TOKEN_PATH)
      .filter(
        (r) =>
          account === undefined || (JSON.parse(r.body) as { linked_account_id: string }).linked_account_id === account,
      );

  afterEach(() => {
    gw.emulator.reset();
    clockOffsetMs = 0;
    gw.emulator.settings.tokenTtlSeconds = 72 * 3600;
  });

  it('makes one Cobalt call for 200 concurrent mints of one account, and all get the same token', async () => {
    const account = freshAccount(gw.emulator);
    gw.emulator.addFault({ type: 'latency', ms: 150 }, { times: 1 });

    const results = await Promise.all(Array.from({ length: 200 }, () => mint(gw, account)));

    expect(cobaltCalls(account)).toHaveLength(1);
    expect(new Set(results.map((r) => r.data?.token)).size).toBe(1);
    expect(results.every((r) => r.data !== undefined)).toBe(true);
  });

  it('makes one Cobalt call per account for 200 concurrent mints over 20 accounts', async () => {
    const accounts = Array.from({ length: 20 }, () => freshAccount(gw.emulator));
    gw.emulator.addFault({ type: 'latency', ms: 100 }, { times: 20 });

    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => mint(gw, accounts[i % 20]!)));

    expect(cobaltCalls()).toHaveLength(20);
    for (const account of accounts) {
      const tokens = new Set(results.filter((r) => r.data?.linkedAccountId === account).map((r) => r.data?.token));
      expect(tokens.size).toBe(1);
      expect(decodeJwt([...tokens][0]!)['linked_account_id']).toBe(account);
    }
  });

  it('shares a typed error with every coalesced caller', async () => {
    gw.emulator.addFault({ type: 'latency', ms: 100 }, { times: 1 });

    const results = await Promise.all(Array.from({ length: 50 }, () => mint(gw, 'user_unknown_coalesced')));

    expect(cobaltCalls('user_unknown_coalesced')).toHaveLength(1);
    expect(results.every((r) => r.error?.extensions?.code === 'LINKED_ACCOUNT_NOT_FOUND')).toBe(true);
  });

  it('serves a token outside its refresh margin from the cache and refreshes one inside it', async () => {
    // 72 h tokens: the default margin is max(5 min, 10 % of 72 h) = 7.2 h.
    const account = freshAccount(gw.emulator);
    const first = await mint(gw, account);

    clockOffsetMs = 64 * HOUR;
    const cached = await mint(gw, account);
    clockOffsetMs = 65 * HOUR;
    const refreshed = await mint(gw, account);

    expect(cached.data!.token).toBe(first.data!.token);
    expect(refreshed.data!.token).not.toBe(first.data!.token);
    const calls = cobaltCalls(account);
    // The refresh: Cobalt first hands back its reused token (inside the margin), then rotates it.
    expect(calls.map((c) => c.search)).toEqual(['', '', '?force_refresh=true']);
  });

  it('asks Cobalt to rotate a reused token that is already inside the margin', async () => {
    const account = freshAccount(gw.emulator);
    const reused = await gw.emulator.issueToken(account, 120);

    const { data } = await mint(gw, account);

    expect(data!.token).not.toBe(reused);
    expect(new Date(data!.expiresAt).getTime()).toBeGreaterThan(Date.now() + 71 * HOUR);
    expect(cobaltCalls(account).map((c) => c.search)).toEqual(['', '?force_refresh=true']);
  });

  it.each([
    ['503', { type: 'status', status: 503 } as const],
    ['429', { type: 'status', status: 429, retryAfter: '5' } as const],
    ['a timeout', { type: 'hang' } as const],
  ])('serves the cached token while it is valid when Cobalt answers %s', async (_label, fault) => {
    const account = freshAccount(gw.emulator);
    const first = await mint(gw, account);
    clockOffsetMs = 70 * HOUR;
    gw.emulator.addFault(fault);

    const stale = await mint(gw, account);

    expect(stale.error).toBeUndefined();
    expect(stale.data!.token).toBe(first.data!.token);
    expect(gw.logs.text()).toContain('"event":"stale-token-served"');
  });

  it('never serves a token about to expire, even when Cobalt is down', async () => {
    const account = freshAccount(gw.emulator);
    await mint(gw, account);
    clockOffsetMs = 72 * HOUR - 10_000;
    gw.emulator.addFault({ type: 'status', status: 503 });

    const { data, error } = await mint(gw, account);

    expect(data).toBeUndefined();
    expect(error!.extensions).toMatchObject({ code: 'COBALT_UNAVAILABLE', retryable: true });
  });

  it('rotates on forceRefresh, and refuses a second one within the interval without calling Cobalt', async () => {
    const account = freshAccount(gw.emulator);
    const first = await mint(gw, account);

    const forced = await mint(gw, account, { forceRefresh: true });
    const again = await mint(gw, account, { forceRefresh: true });
    const cached = await mint(gw, account);

    expect(forced.data!.token).not.toBe(first.data!.token);
    expect(again.error!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(again.error!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(again.error!.extensions!.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(cached.data!.token).toBe(forced.data!.token);
    expect(cobaltCalls(account).map((c) => c.search)).toEqual(['', '?force_refresh=true']);
  });

  it('lets concurrent forced refreshes share one rotation', async () => {
    const account = freshAccount(gw.emulator);
    gw.emulator.addFault({ type: 'latency', ms: 150 }, { times: 1 });

    const results = await Promise.all(Array.from({ length: 5 }, () => mint(gw, account, { forceRefresh: true })));

    expect(results.every((r) => r.error === undefined)).toBe(true);
    expect(new Set(results.map((r) => r.data!.token)).size).toBe(1);
    expect(cobaltCalls(account)).toHaveLength(1);
  });

  it('revokes the cached token at Cobalt on logout and mints a new one afterwards', async () => {
    const account = freshAccount(gw.emulator);
    const bearer = await signTestJwt({ sub: account }, { clock: gw.clock });
    const first = await mint(gw, account);

    const revoked = await graphqlRequest(gw.url, RevokeSessionTokenDocument, { token: bearer });
    const again = await graphqlRequest(gw.url, RevokeSessionTokenDocument, { token: bearer });
    const next = await mint(gw, account);

    expect(revoked.body.data).toEqual({ revokeSessionToken: true });
    expect(again.body.data).toEqual({ revokeSessionToken: false });
    const revokeCall = gw.emulator.received(REVOKE_PATH)[0]!;
    expect(revokeCall.headers['authorization']).toBe(`Bearer ${first.data!.token}`);
    expect(revokeCall.headers['x-api-key']).toBeUndefined();
    expect(next.data!.token).not.toBe(first.data!.token);
    expect(await gw.emulator.verifySessionToken(first.data!.token)).toBeNull();
  });
});
