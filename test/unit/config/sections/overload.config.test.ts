import { describe, expect, it } from '@jest/globals';
import { overloadEnv, parseOverload } from '../../../../src/config/sections/overload.config';

const parse = (env: Record<string, string>) => parseOverload(overloadEnv.parse(env));

describe('overload config', () => {
  it('sheds past 200 ms of event-loop delay, 98 % of the heap limit or 256 requests in flight by default', () => {
    expect(parse({})).toEqual({
      maxEventLoopDelayMs: 200,
      maxHeapUsedRatio: 0.98,
      maxInFlight: 256,
      retryAfterSeconds: 2,
    });
  });

  it('reads 0 as off for each check', () => {
    expect(
      parse({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0', OVERLOAD_MAX_HEAP_USED_RATIO: '0', OVERLOAD_MAX_IN_FLIGHT: '0' }),
    ).toMatchObject({ maxEventLoopDelayMs: 0, maxHeapUsedRatio: 0, maxInFlight: 0 });
  });

  it('refuses a ratio above 1, a negative delay and a Retry-After of 0', () => {
    expect(overloadEnv.safeParse({ OVERLOAD_MAX_HEAP_USED_RATIO: '1.5' }).success).toBe(false);
    expect(overloadEnv.safeParse({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '-1' }).success).toBe(false);
    expect(overloadEnv.safeParse({ OVERLOAD_RETRY_AFTER_S: '0' }).success).toBe(false);
  });
});
