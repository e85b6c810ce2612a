import { describe, expect, it } from '@jest/globals';
import { cobaltEnv, parseCobalt } from '../../../../src/config/sections/cobalt.config';
import { parseSection } from './parse-section';

function parse(vars: Record<string, string>, production = false) {
  return parseSection(cobaltEnv, parseCobalt, vars, production);
}

describe('Cobalt settings', () => {
  it('uses the embedded emulator without a key outside production', () => {
    expect(parse({})).toMatchObject({ value: { kind: 'embedded-emulator' }, problems: [] });
  });

  it('carries the call policy to either kind', () => {
    const policy = {
      COBALT_TIMEOUT_MS: '1000',
      COBALT_DEADLINE_MS: '3000',
      COBALT_MAX_RETRIES: '0',
      COBALT_BREAKER_MIN_REQUESTS: '5',
      COBALT_BREAKER_FAILURE_RATE: '0.25',
      COBALT_BREAKER_COOLDOWN_MS: '700',
      COBALT_MAX_RPS: '9',
    };
    const expected = {
      timeoutMs: 1000,
      deadlineMs: 3000,
      maxRetries: 0,
      breaker: { minRequests: 5, failureRate: 0.25, cooldownMs: 700 },
      maxRps: 9,
    };

    expect(parse(policy).value).toEqual({ kind: 'embedded-emulator', ...expected });
    expect(parse({ ...policy, COBALT_API_KEY: 'pk_x' }, true)).toMatchObject({
      value: { kind: 'remote', ...expected },
      problems: [],
    });
  });

  it('strips every trailing slash of the base URL, so paths join with exactly one', () => {
    const { value: cobalt } = parse({ COBALT_API_KEY: 'tk_x', COBALT_BASE_URL: 'http://cobalt.test:8080/api///' });

    expect(cobalt).toMatchObject({ kind: 'remote', baseUrl: 'http://cobalt.test:8080/api' });
  });
});
