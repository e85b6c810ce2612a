import { describe, expect, it } from '@jest/globals';
import { backoffMs, isRetryable, RetryBudget } from '../../../src/cobalt/retry-policy';
import { parseErrorBody } from '../../../src/cobalt/cobalt.wire';

describe('isRetryable', () => {
  const http = (status: number, body?: object) => ({
    kind: 'http' as const,
    status,
    body: body === undefined ? undefined : parseErrorBody(JSON.stringify(body)),
    retryAfterSeconds: undefined,
  });

  it('retries what another attempt can fix', () => {
    expect(isRetryable({ kind: 'timeout' })).toBe(true);
    expect(isRetryable({ kind: 'network', errno: 'ECONNRESET' })).toBe(true);
    for (const status of [429, 502, 503, 504]) expect(isRetryable(http(status))).toBe(true);
  });

  it('never retries caller errors, the unknown account, or an unreadable answer', () => {
    for (const status of [400, 401, 403, 404, 500]) expect(isRetryable(http(status))).toBe(false);
    expect(isRetryable(http(503, { message: 'No linked account found for account id : x in environment test' }))).toBe(
      false,
    );
    expect(isRetryable({ kind: 'invalid-response', reason: 'x' })).toBe(false);
  });
});

describe('backoffMs', () => {
  it('is full jitter under a doubling, capped ceiling', () => {
    expect(backoffMs(0, () => 0.999)).toBe(99);
    expect(backoffMs(3, () => 0.5)).toBe(400);
    expect(backoffMs(10, () => 0.999)).toBe(1998);
    expect(backoffMs(4, () => 0)).toBe(0);
  });
});

describe('RetryBudget', () => {
  it('allows the floor plus 20 % of calls per window, then refuses until the window rolls', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 1, windowMs: 10_000, now: () => now });
    for (let i = 0; i < 50; i += 1) budget.recordCall();

    const granted = Array.from({ length: 30 }, () => budget.tryRetry()).filter(Boolean).length;
    now = 10_000;
    budget.recordCall();

    expect(granted).toBe(20); // 10 (1/s over 10 s) + 20 % of 50
    expect(budget.tryRetry()).toBe(true);
  });
});
