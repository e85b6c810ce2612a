import { describe, expect, it } from '@jest/globals';
import { CobaltCircuitBreaker, type BreakerPolicy, type BreakerState } from '../../../src/cobalt/circuit-breaker';
import { ErrorCode } from '../../../src/errors/error-code';
import { GatewayError } from '../../../src/errors/gateway-error';
import { captureLogs } from '../../support/capture-logger';
import { ManualClock } from '../../support/manual-clock';

/** A timer the test fires itself, whenever it likes: early, late, or not at all. */
interface TestTimer {
  readonly ms: number;
  readonly wake: () => void;
  cancelled: boolean;
}

function setUp(policy: Partial<BreakerPolicy> = {}) {
  const clock = new ManualClock();
  const logs = captureLogs();
  const changes: BreakerState[] = [];
  const timers: TestTimer[] = [];
  const breaker = new CobaltCircuitBreaker(
    { minRequests: 4, failureRate: 0.5, cooldownMs: 5000, ...policy },
    {
      log: logs.log,
      clock,
      onStateChange: (state) => changes.push(state),
      setTimer: (wake, ms) => {
        const timer: TestTimer = { ms, wake, cancelled: false };
        timers.push(timer);
        return () => {
          timer.cancelled = true;
        };
      },
    },
  );
  let calls = 0;
  const succeed = () =>
    breaker.run(() => {
      calls += 1;
      return Promise.resolve('ok');
    });
  const fail = (code: ErrorCode) =>
    breaker
      .run(() => {
        calls += 1;
        return Promise.reject(new GatewayError(code));
      })
      .catch((error: unknown) => error as GatewayError);
  const events = () => logs.parsed().flatMap((line) => (typeof line['event'] === 'string' ? [line['event']] : []));
  return { clock, breaker, changes, timers, succeed, fail, events, calls: () => calls };
}

async function openIt(s: ReturnType<typeof setUp>): Promise<void> {
  for (let i = 0; i < 4; i += 1) await s.fail(ErrorCode.COBALT_UNAVAILABLE);
  expect(s.breaker.state).toBe('open');
}

/** A breaker whose cooldown has just ended. */
async function halfOpened(policy: Partial<BreakerPolicy> = {}): Promise<ReturnType<typeof setUp>> {
  const s = setUp(policy);
  await openIt(s);
  await s.clock.advance(5000);
  return s;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('the Cobalt circuit breaker', () => {
  it('counts only outages: caller errors and rate limits from a working Cobalt never open it', async () => {
    const s = setUp();
    for (const code of [
      ErrorCode.LINKED_ACCOUNT_NOT_FOUND,
      ErrorCode.COBALT_AUTH_FAILED,
      ErrorCode.COBALT_RATE_LIMITED,
      ErrorCode.INTEGRATION_NOT_FOUND,
      ErrorCode.INTERNAL_SERVER_ERROR,
    ]) {
      for (let i = 0; i < 4; i += 1) expect((await s.fail(code)).code).toBe(code);
    }

    expect(s.breaker.state).toBe('closed');
    expect(s.calls()).toBe(20);
  });

  it('stays closed under the minimum volume, then opens once the failure rate is over the threshold', async () => {
    const s = setUp();
    await s.fail(ErrorCode.COBALT_UNAVAILABLE);
    await s.fail(ErrorCode.COBALT_BAD_RESPONSE);
    await s.fail(ErrorCode.COBALT_UNAVAILABLE);
    expect(s.breaker.state).toBe('closed');

    await s.succeed();
    // 3 outages of 4 are over 50 %, but a success never opens it.
    expect(s.breaker.state).toBe('closed');
    await s.fail(ErrorCode.COBALT_UNAVAILABLE);

    expect(s.breaker.state).toBe('open');
    expect(s.changes).toEqual(['open']);
    expect(s.events()).toEqual(['cobalt-breaker-open']);
  });

  it('does not open at exactly the threshold rate', async () => {
    const s = setUp();
    await s.succeed();
    await s.succeed();
    await s.fail(ErrorCode.COBALT_UNAVAILABLE);
    await s.fail(ErrorCode.COBALT_UNAVAILABLE);

    expect(s.breaker.state).toBe('closed');
    await s.fail(ErrorCode.COBALT_UNAVAILABLE);
    expect(s.breaker.state).toBe('open');
  });

  it('forgets outages older than its 10 s window', async () => {
    const s = setUp();
    for (let i = 0; i < 3; i += 1) await s.fail(ErrorCode.COBALT_UNAVAILABLE);
    await s.clock.advance(10_000);

    await s.fail(ErrorCode.COBALT_UNAVAILABLE);

    expect(s.breaker.state).toBe('closed');
  });

  it('fails fast while open, without running the work, naming the seconds until the probe', async () => {
    const s = setUp();
    await openIt(s);
    await s.clock.advance(1200);

    const refused = await s.fail(ErrorCode.COBALT_BAD_RESPONSE);

    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused.code).toBe(ErrorCode.COBALT_UNAVAILABLE);
    expect(refused.extensions['retryAfterSeconds']).toBe(4);
    expect(s.calls()).toBe(4);
    expect(s.breaker.rejections).toBe(1);
    await s.clock.advance(3700);
    expect((await s.fail(ErrorCode.COBALT_UNAVAILABLE)).extensions['retryAfterSeconds']).toBe(1);
    expect(s.breaker.state).toBe('open');
  });

  it('lets exactly one probe through after the cooldown, and closes when it succeeds', async () => {
    const s = await halfOpened();
    expect(s.breaker.state).toBe('half-open');

    const probe = deferred<string>();
    let probes = 0;
    const probing = s.breaker.run(() => {
      probes += 1;
      return probe.promise;
    });
    const others = await Promise.all([s.fail(ErrorCode.COBALT_UNAVAILABLE), s.succeed().catch((e: unknown) => e)]);
    probe.resolve('answered');

    expect(await probing).toBe('answered');
    expect(probes).toBe(1);
    expect(s.calls()).toBe(4);
    expect(others.map((e) => (e as GatewayError).code)).toEqual([
      ErrorCode.COBALT_UNAVAILABLE,
      ErrorCode.COBALT_UNAVAILABLE,
    ]);
    expect(s.breaker.state).toBe('closed');
    expect(s.changes).toEqual(['open', 'half-open', 'closed']);
    expect(s.events()).toEqual(['cobalt-breaker-open', 'cobalt-breaker-half-open', 'cobalt-breaker-closed']);
    expect(await s.succeed()).toBe('ok');
  });

  it('closes on a probe that Cobalt answers with a caller error: Cobalt is up', async () => {
    const s = await halfOpened();

    await s.fail(ErrorCode.LINKED_ACCOUNT_NOT_FOUND);

    expect(s.breaker.state).toBe('closed');
  });

  it('starts afresh once closed: the outage before the probe does not reopen it on one failure', async () => {
    const s = await halfOpened();
    await s.succeed();

    await s.fail(ErrorCode.COBALT_UNAVAILABLE);

    expect(s.breaker.state).toBe('closed');
  });

  it('reopens for a full cooldown when the probe fails', async () => {
    const s = await halfOpened();

    expect((await s.fail(ErrorCode.COBALT_BAD_RESPONSE)).code).toBe(ErrorCode.COBALT_BAD_RESPONSE);

    expect(s.breaker.state).toBe('open');
    expect(s.calls()).toBe(5);
    expect((await s.fail(ErrorCode.COBALT_UNAVAILABLE)).extensions['retryAfterSeconds']).toBe(5);
    expect(s.calls()).toBe(5);
    expect(s.changes).toEqual(['open', 'half-open', 'open']);
    await s.clock.advance(4999);
    expect(s.breaker.state).toBe('open');
    await s.clock.advance(1);
    expect(s.breaker.state).toBe('half-open');
  });

  it('ignores operations that started before it opened and end while it is half-open', async () => {
    const s = setUp();
    const slow = deferred<string>();
    const late = s.breaker.run(() => slow.promise);
    await openIt(s);
    await s.clock.advance(5000);

    slow.resolve('late');

    expect(await late).toBe('late');
    expect(s.breaker.state).toBe('half-open');
    s.breaker.shutdown();
  });

  it('reports the end of the cooldown without traffic, re-arming a timer that fired early', async () => {
    const s = setUp();
    await openIt(s);
    expect(s.timers.map((t) => t.ms)).toEqual([5000]);

    // Timers and the clock disagree by a fraction of a millisecond: this one fires 1 ms early.
    await s.clock.advance(4999);
    s.timers[0]!.wake();

    expect(s.changes).toEqual(['open']);
    expect(s.timers.map((t) => t.ms)).toEqual([5000, 2]);
    await s.clock.advance(2);
    s.timers[1]!.wake();
    expect(s.changes).toEqual(['open', 'half-open']);
    expect(s.events()).toEqual(['cobalt-breaker-open', 'cobalt-breaker-half-open']);
    expect(s.timers).toHaveLength(2);
  });

  it('cancels its timer on shutdown', async () => {
    const s = setUp();
    await openIt(s);

    s.breaker.shutdown();

    expect(s.timers.map((t) => t.cancelled)).toEqual([true]);
  });

  it('lets another probe through once a probe has held the breaker for its lease without settling', async () => {
    const s = await halfOpened({ probeLeaseMs: 3000 });
    const hung = deferred<string>();
    const hanging = s.breaker.run(() => hung.promise);

    await s.clock.advance(2999);
    expect((await s.fail(ErrorCode.COBALT_UNAVAILABLE)).code).toBe(ErrorCode.COBALT_UNAVAILABLE);
    expect(s.calls()).toBe(4);
    await s.clock.advance(1);

    expect(await s.succeed()).toBe('ok');
    expect(s.calls()).toBe(5);
    expect(s.breaker.state).toBe('closed');
    // The lapsed probe no longer decides anything when it finally settles.
    hung.reject(new GatewayError(ErrorCode.COBALT_UNAVAILABLE));
    await expect(hanging).rejects.toThrow(GatewayError);
    expect(s.breaker.state).toBe('closed');
    expect(s.events()).toContain('cobalt-breaker-probe-lapsed');
  });

  it('holds a probe for the cooldown when no lease is set', async () => {
    const s = setUp({ cooldownMs: 5000 });
    await openIt(s);
    await s.clock.advance(5000);
    void s.breaker.run(() => new Promise<never>(() => undefined));

    await s.clock.advance(4999);
    await s.fail(ErrorCode.COBALT_UNAVAILABLE);
    expect(s.calls()).toBe(4);
    await s.clock.advance(1);
    await s.succeed();

    expect(s.calls()).toBe(5);
    expect(s.breaker.state).toBe('closed');
  });

  it('stays half-open and frees the probe slot when the probe fails with a bug, not a Cobalt answer', async () => {
    const s = await halfOpened();

    await expect(s.breaker.run(() => Promise.reject(new TypeError('a bug of ours')))).rejects.toThrow(TypeError);

    expect(s.breaker.state).toBe('half-open');
    expect(await s.succeed()).toBe('ok');
    expect(s.breaker.state).toBe('closed');
    expect(s.changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('does not count a bug of ours while closed: it says nothing about Cobalt', async () => {
    const s = setUp({ minRequests: 2 });
    for (let i = 0; i < 2; i += 1) {
      await expect(s.breaker.run(() => Promise.reject(new TypeError('bug')))).rejects.toThrow(TypeError);
    }

    await s.fail(ErrorCode.COBALT_UNAVAILABLE);
    await s.fail(ErrorCode.COBALT_UNAVAILABLE);

    // Counted as successes, the bugs would have held the rate at 2 of 4, not over 50 %.
    expect(s.breaker.state).toBe('open');
  });
});
