import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateSessionTokenDocument } from '../../client/generated/graphql';
import { signTestJwt } from '../support/jwt';
import { graphqlRequest } from '../support/graphql-request';
import { ShiftedClock } from '../support/shifted-clock';
import { freshAccount, startTestGateway, TEST_API_KEY, type TestGateway } from '../support/test-gateway';

const SESSION_TOKEN_PATH = '/api/v2/public/session-token';

/** Mints for an account no cache has seen, so every call reaches the emulator. */
async function mint(gw: TestGateway, sub = freshAccount(gw.emulator)) {
  const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, { token: await signTestJwt({ sub }) });
  return { res, error: res.body.errors?.[0] };
}

/** Every client-visible error code a Cobalt failure can end in, each produced by a real fault of the emulator. */
describe('createSessionToken when Cobalt fails', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    // One attempt each: these tests are about the mapping; retries have their own tests below.
    // The breaker would open after the first 20 faults of this file; it has its own tests.
    gw = await startTestGateway({
      env: { COBALT_TIMEOUT_MS: '400', COBALT_MAX_RETRIES: '0', COBALT_BREAKER_MIN_REQUESTS: '100000' },
    });
  });
  afterAll(async () => {
    await gw.stop();
  });
  afterEach(() => {
    gw.emulator.reset();
    gw.emulator.settings.unknownAccountStyle = 'current-400';
  });

  it.each([
    ['a 400 INVALID_LINKED_ACCOUNT_ID (current docs)', 'current-400' as const],
    ['a 500 "No linked account found" (legacy docs)', 'legacy-500' as const],
  ])('returns LINKED_ACCOUNT_NOT_FOUND for an unknown account answered with %s', async (_label, style) => {
    gw.emulator.settings.unknownAccountStyle = style;

    const { res, error } = await mint(gw, 'user_99999');

    expect(res.status).toBe(200);
    expect(res.body.data).toBeNull();
    expect(error!.extensions).toEqual({
      code: 'LINKED_ACCOUNT_NOT_FOUND',
      retryable: false,
      requestId: res.headers.get('x-request-id'),
    });
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);
  });

  it.each([401, 403])('returns COBALT_AUTH_FAILED, naming no key, when Cobalt answers %i', async (status) => {
    gw.emulator.addFault({ type: 'status', status, message: 'Invalid Credentials' });

    const { res, error } = await mint(gw);

    expect(error!.extensions).toMatchObject({ code: 'COBALT_AUTH_FAILED', retryable: false });
    expect(JSON.stringify(res.body)).not.toContain(TEST_API_KEY);
    expect(JSON.stringify(res.body)).not.toContain('Invalid Credentials');
  });

  it('returns COBALT_AUTH_FAILED when the configured key is unknown to Cobalt', async () => {
    const wrongKey = await startTestGateway({ apiKey: 'tk_not_a_key_cobalt_knows' });
    try {
      const { res, error } = await mint(wrongKey);

      expect(error!.extensions).toMatchObject({ code: 'COBALT_AUTH_FAILED', retryable: false });
      expect(JSON.stringify(res.body)).not.toContain('tk_not_a_key_cobalt_knows');
    } finally {
      await wrongKey.stop();
    }
  });

  it('returns COBALT_RATE_LIMITED with retryAfterSeconds from a Retry-After in seconds', async () => {
    gw.emulator.addFault({ type: 'status', status: 429, retryAfter: '7' });

    const { error } = await mint(gw);

    expect(error!.extensions).toMatchObject({ code: 'COBALT_RATE_LIMITED', retryable: true, retryAfterSeconds: 7 });
  });

  it('returns COBALT_RATE_LIMITED with retryAfterSeconds from a Retry-After HTTP date', async () => {
    gw.emulator.addFault({ type: 'status', status: 429, retryAfter: new Date(Date.now() + 30_000).toUTCString() });

    const { error } = await mint(gw);

    expect(error!.extensions!.code).toBe('COBALT_RATE_LIMITED');
    expect(error!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(error!.extensions!.retryAfterSeconds).toBeLessThanOrEqual(31);
  });

  it('returns COBALT_RATE_LIMITED without retryAfterSeconds when Cobalt gives no hint', async () => {
    gw.emulator.addFault({ type: 'status', status: 429 });

    const { error } = await mint(gw);

    expect(error!.extensions).toMatchObject({ code: 'COBALT_RATE_LIMITED', retryable: true });
    expect(error!.extensions).not.toHaveProperty('retryAfterSeconds');
  });

  it.each([500, 502, 503, 504])('returns COBALT_UNAVAILABLE when Cobalt answers %i', async (status) => {
    gw.emulator.addFault({ type: 'status', status });

    const { error } = await mint(gw);

    expect(error!.extensions).toMatchObject({ code: 'COBALT_UNAVAILABLE', retryable: true });
  });

  it('returns COBALT_UNAVAILABLE when Cobalt resets the connection', async () => {
    gw.emulator.addFault({ type: 'reset' });

    const { error } = await mint(gw);

    expect(error!.extensions).toMatchObject({ code: 'COBALT_UNAVAILABLE', retryable: true });
  });

  it('returns COBALT_UNAVAILABLE at the deadline when Cobalt never answers', async () => {
    gw.emulator.addFault({ type: 'hang' });
    const startedAt = Date.now();

    const { error } = await mint(gw);

    expect(error!.extensions).toMatchObject({ code: 'COBALT_UNAVAILABLE', retryable: true });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(350);
  });

  it('cuts an answer trickling a byte at a time at the deadline, not at its end', async () => {
    // 20 × 100 ms = 2 s of trickle, each byte well inside axios's 400 ms idle timeout.
    gw.emulator.addFault({ type: 'trickle', intervalMs: 100, chunks: 20 });
    const startedAt = Date.now();

    const { error } = await mint(gw);

    expect(error!.extensions).toMatchObject({ code: 'COBALT_UNAVAILABLE', retryable: true });
    expect(Date.now() - startedAt).toBeLessThan(1500);
  });

  it.each([
    ['an HTML page', '<html><body>Bad gateway</body></html>', 'text/html'],
    ['truncated JSON', '{"token": "eyJ', 'application/json'],
    ['JSON without a token', '{"ok":true}', 'application/json'],
    ['a token that is not a JWT and no expires_in', '{"token":"opaque"}', 'application/json'],
    ['an already expired token', '{"token":"x","expires_in":0}', 'application/json'],
  ])('returns COBALT_BAD_RESPONSE when Cobalt answers 200 with %s', async (_label, body, contentType) => {
    gw.emulator.addFault({ type: 'malformed', body, contentType });

    const { error } = await mint(gw);

    expect(error!.extensions).toMatchObject({ code: 'COBALT_BAD_RESPONSE', retryable: true });
  });

  it('masks any other Cobalt 4xx as INTERNAL_SERVER_ERROR with the request id in the logs', async () => {
    gw.emulator.addFault({ type: 'status', status: 400, message: 'linked_account_id is required' });

    const { res, error } = await mint(gw);

    const requestId = res.headers.get('x-request-id')!;
    expect(error!.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', retryable: false, requestId });
    expect(error!.message).not.toContain('linked_account_id');
    const logged = gw.logs
      .parsed()
      .filter((line) => line['requestId'] === requestId && line['msg'] === 'cobalt call failed');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ failure: 'HTTP 400 SERVER_ERROR', code: 'INTERNAL_SERVER_ERROR' });
  });

  it('returns COBALT_UNAVAILABLE when nothing listens at the Cobalt URL', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await startTestGateway({ cobaltBaseUrl: `http://127.0.0.1:${port}` });
    try {
      const { error } = await mint(refused);

      expect(error!.extensions).toMatchObject({ code: 'COBALT_UNAVAILABLE', retryable: true });
    } finally {
      await refused.stop();
    }
  });

  it('never follows a redirect, so the API key cannot travel to another host', async () => {
    const stolen: http.IncomingHttpHeaders[] = [];
    const thief = http.createServer((req, res) => {
      stolen.push(req.headers);
      res.end('{}');
    });
    await new Promise<void>((resolve) => thief.listen(0, '127.0.0.2', resolve));
    const { port } = thief.address() as AddressInfo;
    gw.emulator.addFault({ type: 'redirect', location: `http://127.0.0.2:${port}/steal` });
    try {
      const { error } = await mint(gw);

      expect(error!.extensions).toMatchObject({ code: 'COBALT_BAD_RESPONSE' });
      expect(stolen).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => thief.close(() => resolve()));
    }
  });

  it('recovers on the next request once the fault clears', async () => {
    gw.emulator.addFault({ type: 'status', status: 503 }, { times: 1 });

    const account = freshAccount(gw.emulator);

    const first = await mint(gw, account);
    const second = await mint(gw, account);

    expect(first.error!.extensions!.code).toBe('COBALT_UNAVAILABLE');
    expect(second.error).toBeUndefined();
    expect(second.res.body.data!.createSessionToken.linkedAccountId).toBe(account);
  });
});

describe('retries of Cobalt calls', () => {
  let gw: TestGateway;
  // Attempts and their timeouts run on real time; a wait the gateway chooses can be jumped over.
  const clock = new ShiftedClock();

  beforeAll(async () => {
    gw = await startTestGateway({
      env: { COBALT_TIMEOUT_MS: '400', COBALT_DEADLINE_MS: '3000', COBALT_MAX_RETRIES: '2' },
      clock,
    });
  });
  afterAll(async () => {
    await gw.stop();
  });
  afterEach(() => {
    gw.emulator.reset();
  });

  const calls = (account: string) =>
    gw.emulator
      .received(SESSION_TOKEN_PATH)
      .filter((r) => (JSON.parse(r.body) as { linked_account_id: string }).linked_account_id === account);
  const retriesLogged = () => gw.logs.parsed().filter((line) => line['msg'] === 'retrying cobalt call');
  async function until(condition: () => boolean, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it.each([
    ['a 503', { type: 'status', status: 503 } as const],
    ['a 502', { type: 'status', status: 502 } as const],
    ['a reset connection', { type: 'reset' } as const],
    ['an attempt past its timeout', { type: 'hang' } as const],
  ])('succeeds on the second attempt after %s', async (_label, fault) => {
    const account = freshAccount(gw.emulator);
    gw.emulator.addFault(fault, { times: 1 });

    const { error, res } = await mint(gw, account);

    expect(error).toBeUndefined();
    expect(res.body.data!.createSessionToken.linkedAccountId).toBe(account);
    expect(calls(account)).toHaveLength(2);
  });

  it('waits out a Retry-After that fits within the deadline', async () => {
    const account = freshAccount(gw.emulator);
    gw.emulator.addFault({ type: 'status', status: 429, retryAfter: '1' }, { times: 1 });
    const retriesBefore = retriesLogged().length;
    const startedAt = clock.monotonic();

    const minting = mint(gw, account);
    await until(() => retriesLogged().length > retriesBefore);
    // Waiting: nothing goes out until the gateway's clock has moved a second.
    expect(calls(account)).toHaveLength(1);
    clock.advance(1000);
    const { error } = await minting;

    expect(error).toBeUndefined();
    expect(clock.monotonic() - startedAt).toBeGreaterThanOrEqual(1000);
    expect(retriesLogged().at(-1)).toMatchObject({ waitMs: 1000 });
    expect(calls(account)).toHaveLength(2);
  });

  it('fails fast with COBALT_RATE_LIMITED when Retry-After does not fit the deadline', async () => {
    const account = freshAccount(gw.emulator);
    gw.emulator.addFault({ type: 'status', status: 429, retryAfter: '30' });
    const startedAt = Date.now();

    const { error } = await mint(gw, account);

    expect(error!.extensions).toMatchObject({ code: 'COBALT_RATE_LIMITED', retryAfterSeconds: 30 });
    expect(Date.now() - startedAt).toBeLessThan(1000);
    expect(calls(account)).toHaveLength(1);
  });

  it('gives up after COBALT_MAX_RETRIES retries', async () => {
    const account = freshAccount(gw.emulator);
    gw.emulator.addFault({ type: 'status', status: 503 });

    const { error } = await mint(gw, account);

    expect(error!.extensions).toMatchObject({ code: 'COBALT_UNAVAILABLE', retryable: true });
    expect(calls(account)).toHaveLength(3);
  });

  it.each([
    ['an unknown account (legacy 500)', 'legacy-500' as const],
    ['an unknown account (current 400)', 'current-400' as const],
  ])('never retries %s', async (_label, style) => {
    gw.emulator.settings.unknownAccountStyle = style;

    const { error } = await mint(gw, 'user_never_provisioned');

    expect(error!.extensions!.code).toBe('LINKED_ACCOUNT_NOT_FOUND');
    expect(calls('user_never_provisioned')).toHaveLength(1);
    gw.emulator.settings.unknownAccountStyle = 'current-400';
  });

  it.each([401, 403, 400, 500])('never retries a %i', async (status) => {
    const account = freshAccount(gw.emulator);
    gw.emulator.addFault({ type: 'status', status });

    await mint(gw, account);

    expect(calls(account)).toHaveLength(1);
  });

  it('stops retrying an attempt that never answers at the overall deadline', async () => {
    const account = freshAccount(gw.emulator);
    gw.emulator.addFault({ type: 'hang' });
    const startedAt = Date.now();

    const { error } = await mint(gw, account);

    expect(error!.extensions!.code).toBe('COBALT_UNAVAILABLE');
    expect(Date.now() - startedAt).toBeLessThan(3300);
  });
});
