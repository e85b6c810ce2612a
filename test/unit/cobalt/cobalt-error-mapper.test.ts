import { describe, expect, it } from '@jest/globals';
import { isUnknownLinkedAccount, parseRetryAfter, toGatewayError } from '../../../src/cobalt/cobalt-error-mapper';
import type { CobaltFailure } from '../../../src/cobalt/cobalt-failure';
import { parseErrorBody } from '../../../src/cobalt/cobalt.wire';

const http = (status: number, body?: object, retryAfterSeconds?: number, resource?: 'application'): CobaltFailure => ({
  kind: 'http',
  status,
  body: body === undefined ? undefined : parseErrorBody(JSON.stringify(body)),
  retryAfterSeconds,
  ...(resource !== undefined && { resource }),
});

describe('toGatewayError', () => {
  it.each<[string, CobaltFailure, string, boolean]>([
    [
      'legacy 500 unknown account',
      http(500, {
        error_code: 'SERVER_ERROR',
        message: 'No linked account found for account id : T1 in environment test',
      }),
      'LINKED_ACCOUNT_NOT_FOUND',
      false,
    ],
    [
      'current 400 unknown account',
      http(400, {
        error: 'INVALID_LINKED_ACCOUNT_ID',
        message: 'No linked account found for account id : u in environment test',
      }),
      'LINKED_ACCOUNT_NOT_FOUND',
      false,
    ],
    ['401', http(401, { message: 'Invalid Credentials' }), 'COBALT_AUTH_FAILED', false],
    ['403', http(403), 'COBALT_AUTH_FAILED', false],
    ['429', http(429, undefined, 5), 'COBALT_RATE_LIMITED', true],
    ['500 without a body', http(500), 'COBALT_UNAVAILABLE', true],
    ['503', http(503), 'COBALT_UNAVAILABLE', true],
    ['timeout', { kind: 'timeout' }, 'COBALT_UNAVAILABLE', true],
    ['connection refused', { kind: 'network', errno: 'ECONNREFUSED' }, 'COBALT_UNAVAILABLE', true],
    ['unparseable 2xx', { kind: 'invalid-response', reason: 'body is not JSON' }, 'COBALT_BAD_RESPONSE', true],
    ['307 redirect', http(307), 'COBALT_BAD_RESPONSE', true],
    ['other 400', http(400, { message: 'linked_account_id is required' }), 'INTERNAL_SERVER_ERROR', false],
    ['404', http(404), 'INTERNAL_SERVER_ERROR', false],
    [
      '404 for an unknown application slug',
      http(
        404,
        {
          http_error_type: 'EXTERNAL_API_ERROR',
          error: 'EXTERNAL_API_FAILURE',
          message: "Application with app_type 'x' not found for org 63c9",
        },
        undefined,
        'application',
      ),
      'INTEGRATION_NOT_FOUND',
      false,
    ],
    [
      '404 for an unknown account on an application route',
      http(
        404,
        {
          error_code: 'SERVER_ERROR',
          message: 'Linked Account with account id u1 for org 63c9 in environment test not found',
        },
        undefined,
        'application',
      ),
      'LINKED_ACCOUNT_NOT_FOUND',
      false,
    ],
    ['500 on an application route', http(500, undefined, undefined, 'application'), 'COBALT_UNAVAILABLE', true],
  ])('maps %s', (_label, failure, code, retryable) => {
    const { error } = toGatewayError(failure);

    expect(error.extensions).toMatchObject({ code, retryable });
  });

  it('carries retryAfterSeconds only when Cobalt sent it', () => {
    expect(toGatewayError(http(429, undefined, 5)).error.extensions.retryAfterSeconds).toBe(5);
    expect(toGatewayError(http(429)).error.extensions).not.toHaveProperty('retryAfterSeconds');
  });

  it('flags what an operator must fix as error severity', () => {
    expect(toGatewayError(http(401)).severity).toBe('error');
    expect(toGatewayError({ kind: 'timeout' }).severity).toBe('warn');
  });
});

describe('isUnknownLinkedAccount', () => {
  it('matches the message in any case and any of the code spellings', () => {
    expect(
      isUnknownLinkedAccount({ errorCode: undefined, message: 'no LINKED account found for x', requestId: undefined }),
    ).toBe(true);
    expect(isUnknownLinkedAccount(parseErrorBody('{"error_type":"INVALID_LINKED_ACCOUNT_ID"}'))).toBe(true);
    expect(isUnknownLinkedAccount(parseErrorBody('{"message":"Invalid Credentials"}'))).toBe(false);
    expect(isUnknownLinkedAccount(undefined)).toBe(false);
  });

  it("matches the application routes' 404 wording", () => {
    const body = parseErrorBody(
      '{"message":"Linked Account with account id u1 for org o1 in environment test not found"}',
    );
    expect(isUnknownLinkedAccount(body)).toBe(true);
  });

  it.each([
    ['256 ASCII characters', 'a'.repeat(256)],
    ['256 astral characters', '😀'.repeat(256)],
  ])('recognises the 404 wording for the longest valid ids (%s)', (_label, id) => {
    const message = `Linked Account with account id ${id} for org 63c93da0b46b7243785a1e17 in environment test not found`;
    expect(isUnknownLinkedAccount(parseErrorBody(JSON.stringify({ message })))).toBe(true);
  });

  it('stays fast on a huge hostile message (it once backtracked for ~50 s on 1 MB)', () => {
    const phrase = 'linked account with account id ';
    const body = parseErrorBody(JSON.stringify({ message: phrase.repeat(32_000), request_id: 'r'.repeat(100_000) }));
    const startedAt = performance.now();

    expect(isUnknownLinkedAccount(body)).toBe(false);
    expect(performance.now() - startedAt).toBeLessThan(500);
    expect(body?.message?.length).toBeLessThanOrEqual(2048);
    expect(body?.requestId?.length).toBeLessThanOrEqual(100);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');

  it.each<[unknown, number | undefined]>([
    ['7', 7],
    [' 0 ', 0],
    ['Wed, 25 Nov 2026 12:00:30 GMT', 30],
    ['Wed, 25 Nov 2026 11:59:00 GMT', 0],
    ['999999999', 86400],
    ['soon', undefined],
    ['-5', undefined],
    ['', undefined],
    [undefined, undefined],
    [['7'], undefined],
  ])('parses %j as %j', (header, seconds) => {
    expect(parseRetryAfter(header, now)).toBe(seconds);
  });
});
