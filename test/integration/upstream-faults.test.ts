import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { FaultProxy } from '../support/fault-proxy';
import { ShiftedClock } from '../support/shifted-clock';
import { expectSocketsBackTo, MintLedger, openSockets, type MintOutcome } from '../support/mint-ledger';
import { startTestGateway, type TestGateway } from '../support/test-gateway';

const SESSION_TOKEN_PATH = '/api/v2/public/session-token';
const TIMEOUT_MS = 500;
const DEADLINE_MS = 1500;
const MAX_RETRIES = 2;
// Generous on purpose: the suite runs on a loaded 2-core machine; a hang would blow through it.
const MARGIN_MS = 1500;

interface Fixture {
  readonly gw: TestGateway;
  readonly proxy: FaultProxy;
  readonly ledger: MintLedger;
  /** The gateway's clock: sockets run on real time, but a test can jump over the gateway's waits. */
  readonly clock: ShiftedClock;
}

/**
 * Network faults between the gateway and Cobalt, injected by a TCP proxy in front of the real
 * emulator, so the gateway's real HTTP client meets real sockets that stall, trickle, reset, refuse
 * and flap. Each test gets a fresh gateway and keeps its failing Cobalt calls few,
 * so a circuit breaker (which needs a minimum volume) cannot change what is measured; the one test
 * that sends many only asserts bounds a breaker can only lower.
 *
 * Unhandled rejections and uncaught exceptions fail the test they happen in (jest-circus installs
 * its own process handlers), so every test here also proves there were none.
 */
describe('createSessionToken through a faulty network to Cobalt', () => {
  const fixtures: Fixture[] = [];
  let socketsAtStart = 0;

  beforeAll(() => {
    socketsAtStart = openSockets();
  });

  async function setUp(env: Record<string, string> = {}): Promise<Fixture> {
    let proxy: FaultProxy | undefined;
    const clock = new ShiftedClock();
    const gw = await startTestGateway({
      env: {
        COBALT_TIMEOUT_MS: String(TIMEOUT_MS),
        COBALT_DEADLINE_MS: String(DEADLINE_MS),
        COBALT_MAX_RETRIES: String(MAX_RETRIES),
        ...env,
      },
      cobaltBaseUrl: async (emulatorUrl) => {
        proxy = await FaultProxy.start(emulatorUrl);
        return proxy.url;
      },
      clock,
    });
    const fixture = { gw, proxy: proxy!, ledger: new MintLedger(), clock };
    fixtures.push(fixture);
    return fixture;
  }

  afterEach(async () => {
    const done = fixtures.splice(0);
    try {
      for (const { gw, ledger } of done) ledger.expectNothingLeaked(gw.logs.text());
    } finally {
      for (const { gw, proxy } of done) {
        await gw.stop();
        await proxy.close();
      }
    }
  });

  const retriesLogged = (gw: TestGateway) =>
    gw.logs.parsed().filter((line) => line['msg'] === 'retrying cobalt call') as { waitMs: number; attempt: number }[];
  const outcomes = (results: readonly MintOutcome[]) => results.map((r) => r.outcome);

  it('succeeds through latency that stays within the attempt timeout, with one call per mint', async () => {
    const { gw, proxy, ledger } = await setUp({ COBALT_TIMEOUT_MS: '1500', COBALT_DEADLINE_MS: '3000' });
    await proxy.setFault({ kind: 'latency', connectMs: 200, chunkMs: 100 });

    const results = await ledger.mintMany(gw, 5);

    expect(outcomes(results)).toEqual(Array(5).fill('ok'));
    ledger.expectNothingLost(results, 3000 + MARGIN_MS);
    // The latency was really on the path: the request waited for the connection hold, the answer for its chunk.
    for (const { ms } of results) expect(ms).toBeGreaterThanOrEqual(280);
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(5);
    expect(retriesLogged(gw)).toHaveLength(0);
  });

  it('answers COBALT_UNAVAILABLE by the deadline when every attempt outlasts its timeout, and abandons them', async () => {
    const { gw, proxy, ledger, clock } = await setUp();
    await proxy.setFault({ kind: 'latency', chunkMs: 5000 });

    const results = await ledger.mintMany(gw, 3);

    expect(outcomes(results)).toEqual(Array(3).fill('COBALT_UNAVAILABLE'));
    ledger.expectNothingLost(results, DEADLINE_MS + MARGIN_MS);
    for (const { ms } of results) expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS);
    // Every attempt's connection was closed by the gateway (nothing reached Cobalt, nothing lingers),
    // and no attempt starts after the answer.
    await proxy.waitForOpenAtMost(0, 1000);
    const attempts = proxy.stats().accepted;
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(3 * (1 + MAX_RETRIES));
    // Wake any wait the gateway might still be in: a retry scheduled past the answer would go now.
    clock.advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(proxy.stats().accepted).toBe(attempts);
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(0);
  });

  it('cuts an answer trickling a byte every 300 ms at the deadline, not when it ends', async () => {
    const { gw, proxy, ledger } = await setUp();
    // One byte every 300 ms never idles axios's 500 ms socket timeout (it restarts on every byte);
    // only the deadline can stop it. Cobalt's answer, headers included, would take over a minute this way.
    await proxy.setFault({ kind: 'trickle', bytes: 1, everyMs: 300 });

    const results = await ledger.mintMany(gw, 2);

    expect(outcomes(results)).toEqual(['COBALT_UNAVAILABLE', 'COBALT_UNAVAILABLE']);
    ledger.expectNothingLost(results, DEADLINE_MS + MARGIN_MS);
    expect(proxy.stats().bytesDownstream).toBeGreaterThan(0);
    const calls = gw.emulator.received(SESSION_TOKEN_PATH).length;
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(2 * (1 + MAX_RETRIES));
    await proxy.waitForOpenAtMost(0, 1000);
  });

  it('spends what is left of the deadline on a last, shorter attempt', async () => {
    const { gw, proxy, ledger } = await setUp({ COBALT_TIMEOUT_MS: '1000', COBALT_DEADLINE_MS: '2000' });
    await proxy.setFault({ kind: 'blackhole' });

    const [result] = await ledger.mintMany(gw, 1);

    // The first attempt times out at 1 s; the second gets the ~0.9 s left (a fractional number of
    // milliseconds, which AbortSignal.timeout refuses unless rounded) and times out at the deadline.
    expect(result!.outcome).toBe('COBALT_UNAVAILABLE');
    expect(result!.ms).toBeGreaterThanOrEqual(1950);
    ledger.expectNothingLost([result!], 2000 + MARGIN_MS);
    expect(proxy.stats().accepted).toBe(2);
    const failures = gw.logs.parsed().filter((line) => line['msg'] === 'cobalt call failed');
    expect(failures).toEqual([expect.objectContaining({ failure: 'timeout', attempt: 2 })]);
  });

  it('retries a connection reset on accept and succeeds on the next connection', async () => {
    const { gw, proxy, ledger } = await setUp({ COBALT_TIMEOUT_MS: '1500', COBALT_DEADLINE_MS: '3000' });
    // Odd connections are reset, even ones pass; a kept-alive good connection is then reused.
    await proxy.setFault({ kind: 'flap', good: { kind: 'reset' }, bad: { kind: 'pass' }, everyConnections: 1 });

    const results = [await ledger.mint(gw), await ledger.mint(gw), await ledger.mint(gw)];

    expect(outcomes(results)).toEqual(['ok', 'ok', 'ok']);
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(3);
    const { resets } = proxy.stats();
    expect(resets).toBeGreaterThanOrEqual(1);
    // Each reset cost exactly one retry, no more.
    expect(retriesLogged(gw)).toHaveLength(resets);
  });

  it('retries attempts whose connections are reset mid-answer, and each retry succeeds', async () => {
    const { gw, proxy, ledger } = await setUp({ COBALT_TIMEOUT_MS: '1500', COBALT_DEADLINE_MS: '3000' });
    // Requests pass at once; answers crawl back, so the attempts are mid-answer when reset.
    await proxy.setFault({ kind: 'trickle', bytes: 1, everyMs: 100 });
    const pending = ledger.mintMany(gw, 3);
    const started = Date.now();
    while (gw.emulator.received(SESSION_TOKEN_PATH).length < 3) {
      if (Date.now() - started > 2000) throw new Error('requests never reached Cobalt');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await proxy.setFault({ kind: 'pass' });
    proxy.dropAll();

    const results = await pending;

    expect(outcomes(results)).toEqual(['ok', 'ok', 'ok']);
    ledger.expectNothingLost(results, 3000 + MARGIN_MS);
    expect(proxy.stats().resets).toBeGreaterThanOrEqual(3);
    // Minting is not idempotent at the wire: the retried requests reach Cobalt a second time.
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(6);
    expect(retriesLogged(gw)).toHaveLength(3);
  });

  it('answers COBALT_UNAVAILABLE within the deadline from a black hole, leaves no socket behind, and recovers', async () => {
    const { gw, proxy, ledger } = await setUp();
    await ledger.mintMany(gw, 4);
    expect(proxy.stats().open).toBeGreaterThan(0);
    await proxy.setFault({ kind: 'blackhole' });

    const failed = await Promise.all(Array.from({ length: 4 }, () => ledger.mint(gw)));

    expect(outcomes(failed)).toEqual(Array(4).fill('COBALT_UNAVAILABLE'));
    ledger.expectNothingLost(failed, DEADLINE_MS + MARGIN_MS);
    for (const { ms } of failed) expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS);
    // Each stalled connection, the kept-alive ones included, was abandoned and closed: none is left
    // to be reused, or to deliver its stale request once the network heals.
    await proxy.waitForOpenAtMost(0, 1000);
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(4);

    await proxy.setFault({ kind: 'pass' });
    // The same accounts again: a failure is never cached, and no stalled connection is reused.
    const recovered = await Promise.all(failed.map(({ account }) => ledger.mint(gw, account)));

    expect(outcomes(recovered)).toEqual(Array(4).fill('ok'));
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(8);
  });

  it('answers COBALT_UNAVAILABLE fast when connections are refused, with bounded jittered retries, and recovers', async () => {
    const { gw, proxy, ledger } = await setUp();
    await ledger.mint(gw);
    await proxy.setFault({ kind: 'refuse' });

    const failed = await ledger.mintMany(gw, 4);

    expect(outcomes(failed)).toEqual(Array(4).fill('COBALT_UNAVAILABLE'));
    ledger.expectNothingLost(failed, DEADLINE_MS + MARGIN_MS);
    const retries = retriesLogged(gw);
    expect(retries.length).toBeLessThanOrEqual(4 * MAX_RETRIES);
    for (const { waitMs, attempt } of retries) {
      // Full jitter: anywhere in [0, base × 2^(attempt − 1)], base 100 ms.
      expect(waitMs).toBeGreaterThanOrEqual(0);
      expect(waitMs).toBeLessThanOrEqual(100 * 2 ** (attempt - 1));
    }

    await proxy.setFault({ kind: 'pass' });
    const recovered = await Promise.all(failed.map(({ account }) => ledger.mint(gw, account)));

    expect(outcomes(recovered)).toEqual(Array(4).fill('ok'));
  });

  it('bounds the attempts of 60 concurrent mints against a Cobalt that resets every connection', async () => {
    const { gw, proxy, ledger } = await setUp();
    await proxy.setFault({ kind: 'reset' });

    const results = await ledger.mintMany(gw, 60);

    expect(new Set(outcomes(results))).toEqual(new Set(['COBALT_UNAVAILABLE']));
    // 60 requests queue for the CPU before their Cobalt deadline even starts.
    ledger.expectNothingLost(results, DEADLINE_MS + 4 * MARGIN_MS);
    // Without a budget this would be 60 × 2 = 120 retries. The budget allows 10 per second over its
    // 10 s window plus 20 % of the calls made: at most 100 + 12. (A breaker could only lower this.)
    const retries = retriesLogged(gw).length;
    expect(retries).toBeLessThanOrEqual(112);
    // An attempt still queued for a socket on a loaded machine can time out before it connects.
    expect(proxy.stats().accepted).toBeLessThanOrEqual(60 + retries);
    await proxy.waitForOpenAtMost(0, 1000);
  });

  it('loses no request while the network flaps, and succeeds for every request once it stops', async () => {
    const { gw, proxy, ledger } = await setUp();
    await proxy.setFault({ kind: 'flap', bad: { kind: 'reset' }, everyMs: 200 });

    const during: MintOutcome[] = [];
    for (let wave = 0; wave < 3; wave += 1) during.push(...(await ledger.mintMany(gw, 2)));

    for (const { outcome } of during) expect(['ok', 'COBALT_UNAVAILABLE']).toContain(outcome);
    ledger.expectNothingLost(during, DEADLINE_MS + MARGIN_MS);
    expect(retriesLogged(gw).length).toBeLessThanOrEqual(during.length * MAX_RETRIES);

    await proxy.setFault({ kind: 'pass' });
    const after = await Promise.all(during.map(({ account }) => ledger.mint(gw, account)));

    expect(outcomes(after)).toEqual(Array(during.length).fill('ok'));
  });

  it('leaves no socket open in this process once every gateway and proxy has stopped', async () => {
    await expectSocketsBackTo(socketsAtStart);
  });
});
