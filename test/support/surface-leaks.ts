import { expect } from '@jest/globals';
import { TEST_API_KEY } from './test-gateway';

/** What no response to a client may ever contain: a stack, an upstream connection detail, a schema hint. */
export const RESPONSE_LEAK = /stacktrace|exception|ECONN|127\.0\.0\.1|Did you mean/i;

/**
 * The leak scan for hostile-client suites: no response body carries a stack, an upstream connection
 * detail or a schema hint, and neither the responses nor the logs carry the API key or a bearer token.
 */
export function expectNoLeaks(scan: {
  readonly responses: readonly string[];
  readonly logs: string;
  readonly secrets?: readonly string[];
}): void {
  const leaking = scan.responses.filter((body) => RESPONSE_LEAK.test(body));
  expect(leaking).toEqual([]);
  for (const secret of [TEST_API_KEY, ...(scan.secrets ?? [])]) {
    expect(scan.logs).not.toContain(secret);
    expect(scan.responses.filter((body) => body.includes(secret))).toEqual([]);
  }
}
