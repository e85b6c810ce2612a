import { afterEach, describe, expect, it } from '@jest/globals';
import { CreateSessionTokenDocument } from '../../client/generated/graphql';
import { graphqlRequest } from '../support/graphql-request';
import { signTestJwt } from '../support/jwt';
import { ShiftedClock } from '../support/shifted-clock';
import { freshAccount, startTestGateway, type TestGateway } from '../support/test-gateway';

const SESSION_TOKEN_PATH = '/api/v2/public/session-token';
const HOUR = 3600_000;

/**
 * The breaker around the Cobalt client, driven by real emulator faults. Each test gets its own
 * gateway: the breaker's 10 s window would otherwise carry one test's calls into the next. The
 * gateway runs on a shifted clock, so a test jumps over a cooldown instead of waiting it out.
 */
describe('the Cobalt circuit breaker', () => {
  let gw: TestGateway;
  let clock: ShiftedClock;

  async function start(env: Record<string, string> = {}): Promise<TestGateway> {
    clock = new ShiftedClock();
    gw = await startTestGateway({
      env: {
        COBALT_BREAKER_MIN_REQUESTS: '4',
        COBALT_BREAKER_FAILURE_RATE: '0.5',
        COBALT_BREAKER_COOLDOWN_MS: '1000',
        COBALT_MAX_RETRIES: '0',
        COBALT_TIMEOUT_MS: '1000',
        ...env,
      },
      clock,
    });
    return gw;
  }
  afterEach(async () => {
    await gw.stop();
  });

  async function mintWith(token: string) {
    const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, { token });
    return { data: res.body.data?.createSessionToken, error: res.body.errors?.[0] };
  }
  const mint = async (account: string) => mintWith(await signTestJwt({ sub: account }, { clock }));
  async function until(condition: () => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await sleep(5);
    }
  }
  const cobaltCalls = () => gw.emulator.received(SESSION_TOKEN_PATH).length;
  async function readiness() {
    const res = await fetch(`${gw.origin}/readyz`);
    return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
  }
  async function breakerGauge() {
    const text = await (await fetch(`${gw.origin}/metrics`)).text();
    return /^cobalt_gateway_cobalt_breaker_state (\d)$/m.exec(text)?.[1];
  }
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('does not count caller errors: unknown linked accounts never open it', async () => {
    await start();
    for (let i = 0; i < 10; i += 1) {
      expect((await mint(`nobody-${i}`)).error?.extensions?.['code']).toBe('LINKED_ACCOUNT_NOT_FOUND');
    }

    expect((await mint(freshAccount(gw.emulator))).data?.token).toBeDefined();
    expect(cobaltCalls()).toBe(11);
    expect((await readiness()).body.checks['cobaltBreaker']).toBe('closed');
  });

  it('opens on the failure rate once the minimum volume is reached, then fails fast without calling Cobalt', async () => {
    await start();
    gw.emulator.addFault({ type: 'status', status: 503 });

    for (let i = 0; i < 3; i += 1) {
      expect((await mint(freshAccount(gw.emulator))).error?.extensions?.['code']).toBe('COBALT_UNAVAILABLE');
    }
    // Three failures out of three, but under the minimum volume: still closed.
    expect((await readiness()).body.checks['cobaltBreaker']).toBe('closed');
    await mint(freshAccount(gw.emulator));
    expect(cobaltCalls()).toBe(4);

    const refused = await mint(freshAccount(gw.emulator));

    expect(refused.error?.extensions).toMatchObject({
      code: 'COBALT_UNAVAILABLE',
      retryable: true,
      retryAfterSeconds: 1,
    });
    expect(cobaltCalls()).toBe(4);
    expect(await readiness()).toEqual({
      status: 200,
      body: { status: 'degraded', checks: { tokenCache: 'memory:ok', cobaltBreaker: 'open', overload: 'off' } },
    });
    expect(await breakerGauge()).toBe('2');
    expect(gw.logs.parsed().some((r) => r['event'] === 'cobalt-breaker-open')).toBe(true);
  });

  it('still opens when the org budget refuses most calls during an outage (refusals are not successes)', async () => {
    await start({ COBALT_MAX_RPS: '4', COBALT_TIMEOUT_MS: '300', COBALT_DEADLINE_MS: '300' });
    gw.emulator.addFault({ type: 'hang' });

    const results = await Promise.all(Array.from({ length: 20 }, () => mint(freshAccount(gw.emulator))));

    const codes = results.map((r) => r.error?.extensions?.['code']);
    // Four per second go out (more only if the burst straddles a second); the rest are refused.
    const outages = codes.filter((c) => c === 'COBALT_UNAVAILABLE').length;
    expect(outages).toBeGreaterThanOrEqual(4);
    expect(outages).toBeLessThan(10);
    expect(codes.filter((c) => c === 'COBALT_RATE_LIMITED')).toHaveLength(20 - outages);
    expect((await readiness()).body.checks['cobaltBreaker']).toBe('open');
  });

  it('lets one probe through after the cooldown and closes when it succeeds', async () => {
    await start();
    gw.emulator.addFault({ type: 'status', status: 503 });
    for (let i = 0; i < 4; i += 1) await mint(freshAccount(gw.emulator));
    expect((await readiness()).body.checks['cobaltBreaker']).toBe('open');

    gw.emulator.faults.clear();
    // A slow probe, so the other requests surely arrive while it is out, however loaded the machine.
    gw.emulator.addFault({ type: 'latency', ms: 700 }, { times: 1 });
    clock.advance(1000);
    const accounts = Array.from({ length: 5 }, () => freshAccount(gw.emulator));
    const bearers = await Promise.all(accounts.map((account) => signTestJwt({ sub: account }, { clock })));
    const callsBefore = cobaltCalls();
    const probe = mintWith(bearers[0]!);
    await until(() => cobaltCalls() > callsBefore);
    const others = Promise.all(bearers.slice(1).map((bearer) => mintWith(bearer)));
    const results = [await probe, ...(await others)];

    // Half-open admits a single probe; the others are refused while it is out.
    expect(cobaltCalls() - callsBefore).toBe(1);
    expect(results.filter((r) => r.data !== undefined)).toHaveLength(1);
    expect(results.filter((r) => r.error?.extensions?.['code'] === 'COBALT_UNAVAILABLE')).toHaveLength(4);
    expect(await readiness()).toMatchObject({ status: 200, body: { status: 'ready' } });
    expect(await breakerGauge()).toBe('0');
    expect((await mint(freshAccount(gw.emulator))).data?.token).toBeDefined();
  });

  it('re-opens when the probe fails', async () => {
    await start();
    gw.emulator.addFault({ type: 'status', status: 502 });
    for (let i = 0; i < 4; i += 1) await mint(freshAccount(gw.emulator));
    clock.advance(1000);
    const before = cobaltCalls();

    expect((await mint(freshAccount(gw.emulator))).error?.extensions?.['code']).toBe('COBALT_UNAVAILABLE');
    // That was the probe: it reached Cobalt.
    const calls = cobaltCalls();
    expect(calls).toBe(before + 1);
    expect((await mint(freshAccount(gw.emulator))).error?.extensions?.['retryAfterSeconds']).toBe(1);
    expect(cobaltCalls()).toBe(calls);
    expect((await readiness()).body.checks['cobaltBreaker']).toBe('open');
  });

  it('serves a cached token that is past its refresh point but still valid while the breaker is open', async () => {
    await start();
    const account = freshAccount(gw.emulator);
    const first = await mint(account);
    // The emulator's tokens live 72 h; 70 h later the cached one is due for refresh but still valid.
    clock.advance(70 * HOUR);
    gw.emulator.addFault({ type: 'status', status: 503 });
    for (let i = 0; i < 4; i += 1) await mint(freshAccount(gw.emulator));
    const calls = cobaltCalls();

    const stale = await mint(account);

    expect(stale.error).toBeUndefined();
    expect(stale.data?.token).toBe(first.data?.token);
    expect(cobaltCalls()).toBe(calls);
  });
});
