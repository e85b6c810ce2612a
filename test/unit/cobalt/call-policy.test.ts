import { describe, expect, it } from '@jest/globals';
import type { CobaltCallBudget } from '../../../src/cobalt/call-budget';
import { CallPolicy, type CallPolicyOptions, type CobaltAttempt } from '../../../src/cobalt/call-policy';
import { CobaltCircuitBreaker } from '../../../src/cobalt/circuit-breaker';
import { CobaltFailureError, type CobaltFailure } from '../../../src/cobalt/cobalt-failure';
import { parseErrorBody } from '../../../src/cobalt/cobalt.wire';
import { ErrorCode } from '../../../src/errors/error-code';
import { GatewayError } from '../../../src/errors/gateway-error';
import { captureLogs } from '../../support/capture-logger';
import { ManualClock } from '../../support/manual-clock';

const http = (status: number, retryAfterSeconds?: number, body?: object): CobaltFailure => ({
  kind: 'http',
  status,
  body: body === undefined ? undefined : parseErrorBody(JSON.stringify(body)),
  retryAfterSeconds,
});
const UNAVAILABLE = http(503);

/**
 * A Cobalt that answers from a script, one step per attempt: a failure, `'ok'`, or `'hang'` (no
 * answer: the attempt times out when its timeout has passed on the clock).
 */
function scriptedCobalt(clock: ManualClock, script: readonly (CobaltFailure | 'ok' | 'hang')[]) {
  const attempts: { at: number; timeoutMs: number }[] = [];
  const attempt: CobaltAttempt<string> = async (timeoutMs) => {
    attempts.push({ at: clock.monotonic(), timeoutMs });
    const step = script[Math.min(attempts.length, script.length) - 1] ?? 'ok';
    if (step === 'ok') return { status: 200, value: 'token' };
    if (step === 'hang') {
      await clock.sleep(timeoutMs);
      throw new CobaltFailureError({ kind: 'timeout' });
    }
    throw new CobaltFailureError(step);
  };
  return { attempt, attempts };
}

function setUp(options: Partial<CallPolicyOptions> = {}) {
  const clock = new ManualClock();
  const logs = captureLogs();
  const calls: { operation: string; outcome: string }[] = [];
  const retries: string[] = [];
  const policy = new CallPolicy({
    timeoutMs: 1000,
    deadlineMs: 3000,
    maxRetries: 2,
    log: logs.log,
    onCall: (operation, _seconds, outcome) => calls.push({ operation, outcome }),
    onRetry: (operation) => retries.push(operation),
    clock,
    random: () => 0.5,
    ...options,
  });
  /** Runs the operation to its end, moving the clock whenever it waits. */
  async function run(attempt: CobaltAttempt<string>): Promise<{ value?: string; error?: unknown; endedAt: number }> {
    let endedAt: number | undefined;
    const outcome = policy.run('createSessionToken', attempt).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    void outcome.then(() => (endedAt = clock.monotonic()));
    for (let i = 0; endedAt === undefined && i < 1000; i += 1) await clock.advance(50);
    return { ...(await outcome), endedAt: endedAt ?? Number.NaN };
  }
  const lines = (msg: string) => logs.parsed().filter((line) => line['msg'] === msg);
  return { clock, policy, run, calls, retries, lines };
}

const codeOf = (error: unknown) => (error as GatewayError).code;

/** A budget that grants what `allow` says and records what it was asked. */
function fakeBudget(allow: (call: number) => boolean) {
  const asked: number[] = [];
  const budget: CobaltCallBudget = {
    acquire(maxWaitMs) {
      asked.push(maxWaitMs);
      return allow(asked.length)
        ? Promise.resolve()
        : Promise.reject(new GatewayError(ErrorCode.COBALT_RATE_LIMITED, { retryAfterSeconds: 1 }));
    },
  };
  return { budget, asked };
}

describe('the Cobalt call policy', () => {
  it('retries what another attempt can fix, then answers; one log line and one metric per operation', async () => {
    const s = setUp();
    const cobalt = scriptedCobalt(s.clock, [{ kind: 'network', errno: 'ECONNRESET' }, UNAVAILABLE, 'ok']);

    const { value } = await s.run(cobalt.attempt);

    expect(value).toBe('token');
    expect(cobalt.attempts).toHaveLength(3);
    expect(s.retries).toEqual(['createSessionToken', 'createSessionToken']);
    expect(s.calls).toEqual([{ operation: 'createSessionToken', outcome: 'ok' }]);
    expect(s.lines('cobalt call succeeded')).toEqual([expect.objectContaining({ attempt: 3, status: 200 })]);
    expect(s.lines('cobalt call failed')).toHaveLength(0);
  });

  it.each<[string, CobaltFailure, ErrorCode]>([
    ['a 400', http(400), ErrorCode.INTERNAL_SERVER_ERROR],
    ['a 401', http(401), ErrorCode.COBALT_AUTH_FAILED],
    ['an unreadable answer', { kind: 'invalid-response', reason: 'body is not JSON' }, ErrorCode.COBALT_BAD_RESPONSE],
    [
      'an unknown account, even as a 503',
      http(503, undefined, { message: 'No linked account found for account id : x in environment test' }),
      ErrorCode.LINKED_ACCOUNT_NOT_FOUND,
    ],
  ])('never retries %s', async (_label, failure, code) => {
    const s = setUp();
    const cobalt = scriptedCobalt(s.clock, [failure, 'ok']);

    const { error } = await s.run(cobalt.attempt);

    expect(codeOf(error)).toBe(code);
    expect(cobalt.attempts).toHaveLength(1);
    expect(s.calls).toEqual([{ operation: 'createSessionToken', outcome: code }]);
    expect(s.lines('cobalt call failed')).toEqual([expect.objectContaining({ attempt: 1, code })]);
  });

  it('does not retry a timeout whose timer fired mostly late: our own event loop, not Cobalt, was slow', async () => {
    const s = setUp();
    const cobalt = scriptedCobalt(s.clock, [{ kind: 'timeout', localDelayMs: 600 }, 'ok']);

    const { error } = await s.run(cobalt.attempt);

    expect(codeOf(error)).toBe(ErrorCode.COBALT_UNAVAILABLE);
    expect(cobalt.attempts).toHaveLength(1);
    expect(s.retries).toEqual([]);
    expect(s.lines('cobalt call failed')).toEqual([
      expect.objectContaining({ attempt: 1, failure: 'timeout', timerLateMs: 600 }),
    ]);
  });

  it('still retries a timeout whose timer fired nearly on time: Cobalt was slow', async () => {
    const s = setUp();
    const cobalt = scriptedCobalt(s.clock, [{ kind: 'timeout', localDelayMs: 40 }, 'ok']);

    const { value } = await s.run(cobalt.attempt);

    expect(value).toBe('token');
    expect(cobalt.attempts).toHaveLength(2);
  });

  it('gives up after maxRetries retries with what Cobalt last did', async () => {
    const s = setUp();
    const cobalt = scriptedCobalt(s.clock, [UNAVAILABLE]);

    const { error } = await s.run(cobalt.attempt);

    expect(codeOf(error)).toBe(ErrorCode.COBALT_UNAVAILABLE);
    expect(cobalt.attempts).toHaveLength(3);
  });

  it('lets a bug in an attempt pass as it is, unretried', async () => {
    const s = setUp();
    const bug = new TypeError('not a Cobalt failure');
    let attempts = 0;

    const { error } = await s.run(() => {
      attempts += 1;
      return Promise.reject(bug);
    });

    expect(error).toBe(bug);
    expect(attempts).toBe(1);
  });

  it.each([
    ['the bottom', 0, [0, 0]],
    ['the top', 0.999, [99, 199]],
  ])('waits a full-jitter backoff, at %s of its doubling range', async (_label, random, waits) => {
    const s = setUp({ random: () => random });
    const cobalt = scriptedCobalt(s.clock, [UNAVAILABLE, UNAVAILABLE, 'ok']);

    await s.run(cobalt.attempt);

    expect(cobalt.attempts.map((a) => a.at)).toEqual([0, waits[0], waits[0]! + waits[1]!]);
    expect(s.lines('retrying cobalt call').map((line) => line['waitMs'])).toEqual(waits);
  });

  it('holds the deadline: the last attempt gets only the time left, and none starts too close to it', async () => {
    const s = setUp({ timeoutMs: 1000, deadlineMs: 2500, maxRetries: 5, random: () => 0 });
    const cobalt = scriptedCobalt(s.clock, ['hang']);

    const { error, endedAt } = await s.run(cobalt.attempt);

    expect(codeOf(error)).toBe(ErrorCode.COBALT_UNAVAILABLE);
    expect(cobalt.attempts).toEqual([
      { at: 0, timeoutMs: 1000 },
      { at: 1000, timeoutMs: 1000 },
      { at: 2000, timeoutMs: 500 },
    ]);
    expect(endedAt).toBe(2500);
  });

  it('waits out a Retry-After that fits in the deadline', async () => {
    const s = setUp();
    const cobalt = scriptedCobalt(s.clock, [http(429, 1), 'ok']);

    const { value } = await s.run(cobalt.attempt);

    expect(value).toBe('token');
    expect(cobalt.attempts.map((a) => a.at)).toEqual([0, 1000]);
  });

  it('does not wait out a Retry-After that does not fit: it answers at once with it', async () => {
    const s = setUp();
    const cobalt = scriptedCobalt(s.clock, [http(429, 30), 'ok']);

    const outcome = s.policy.run('createSessionToken', cobalt.attempt);
    const error = await outcome.catch((e: unknown) => e);

    expect(codeOf(error)).toBe(ErrorCode.COBALT_RATE_LIMITED);
    expect((error as GatewayError).extensions['retryAfterSeconds']).toBe(30);
    expect(cobalt.attempts).toHaveLength(1);
    expect(s.clock.monotonic()).toBe(0);
    expect(s.clock.pendingSleeps).toBe(0);
  });

  it('stops retrying once the retry budget is spent: 10 a second plus 20 % of the calls, per 10 s', async () => {
    const s = setUp({ maxRetries: 1000, deadlineMs: 600_000, random: () => 0 });
    const cobalt = scriptedCobalt(s.clock, [UNAVAILABLE]);
    const attemptsOf = async () => {
      const before = cobalt.attempts.length;
      await s.run(cobalt.attempt);
      return cobalt.attempts.length - before;
    };

    // 100 (10 a second over 10 s) + 20 % of one call: 101 retries.
    expect(await attemptsOf()).toBe(102);
    // Four more calls bring the budget to 101: nothing left for them.
    for (let i = 0; i < 4; i += 1) expect(await attemptsOf()).toBe(1);
    await s.clock.advance(10_000);

    expect(await attemptsOf()).toBe(102);
  });

  describe('with the org-wide call budget', () => {
    it('takes a share before the first attempt, waiting no longer than leaves a full attempt in the deadline', async () => {
      const { budget, asked } = fakeBudget(() => true);
      const s = setUp({ callBudget: budget, timeoutMs: 1000, deadlineMs: 3000 });
      const cobalt = scriptedCobalt(s.clock, ['ok']);

      await s.run(cobalt.attempt);

      expect(asked).toEqual([2000]);
    });

    it('makes no attempt when the budget refuses the first, and answers COBALT_RATE_LIMITED', async () => {
      const { budget } = fakeBudget(() => false);
      const s = setUp({ callBudget: budget });
      const cobalt = scriptedCobalt(s.clock, ['ok']);

      const { error } = await s.run(cobalt.attempt);

      expect(codeOf(error)).toBe(ErrorCode.COBALT_RATE_LIMITED);
      expect(cobalt.attempts).toHaveLength(0);
      expect(s.calls).toEqual([{ operation: 'createSessionToken', outcome: 'COBALT_RATE_LIMITED' }]);
    });

    it('takes a share for every retry; refused, the operation fails with what Cobalt last did', async () => {
      const { budget, asked } = fakeBudget((call) => call === 1);
      const s = setUp({ callBudget: budget, random: () => 0 });
      const cobalt = scriptedCobalt(s.clock, [UNAVAILABLE, 'ok']);

      const { error } = await s.run(cobalt.attempt);

      expect(codeOf(error)).toBe(ErrorCode.COBALT_UNAVAILABLE);
      expect(cobalt.attempts).toHaveLength(1);
      // Deadline 3000 ms, minus the 250 ms an attempt needs at least.
      expect(asked).toEqual([2000, 2750]);
    });
  });

  describe('behind the circuit breaker', () => {
    function withBreaker(budgetAllows: (call: number) => boolean = () => true) {
      const clock = new ManualClock();
      const { budget, asked } = fakeBudget(budgetAllows);
      const breaker = new CobaltCircuitBreaker(
        { minRequests: 2, failureRate: 0.5, cooldownMs: 5000 },
        { log: captureLogs().log, clock },
      );
      return { ...setUp({ breaker, callBudget: budget, random: () => 0 }), breaker, asked };
    }

    it('counts one outcome per operation, not per attempt', async () => {
      const s = withBreaker();
      const cobalt = scriptedCobalt(s.clock, [UNAVAILABLE]);

      await s.run(cobalt.attempt);
      expect(cobalt.attempts).toHaveLength(3);
      expect(s.breaker.state).toBe('closed');
      await s.run(cobalt.attempt);

      expect(s.breaker.state).toBe('open');
    });

    it('once open, fails fast without attempting or asking the budget', async () => {
      const s = withBreaker();
      const cobalt = scriptedCobalt(s.clock, [UNAVAILABLE]);
      await s.run(cobalt.attempt);
      await s.run(cobalt.attempt);
      const [attempts, asked] = [cobalt.attempts.length, s.asked.length];

      const { error } = await s.run(cobalt.attempt);

      expect(codeOf(error)).toBe(ErrorCode.COBALT_UNAVAILABLE);
      expect((error as GatewayError).extensions['retryAfterSeconds']).toBeGreaterThanOrEqual(1);
      expect(cobalt.attempts).toHaveLength(attempts);
      expect(s.asked).toHaveLength(asked);
    });

    it('does not count a call the budget refused: it never reached Cobalt', async () => {
      const s = withBreaker((call) => call > 4);
      const cobalt = scriptedCobalt(s.clock, ['ok']);

      for (let i = 0; i < 4; i += 1) {
        expect(codeOf((await s.run(cobalt.attempt)).error)).toBe(ErrorCode.COBALT_RATE_LIMITED);
      }

      expect(s.breaker.state).toBe('closed');
      expect(s.breaker.rejections).toBe(0);
      expect((await s.run(cobalt.attempt)).value).toBe('token');
    });
  });
});
