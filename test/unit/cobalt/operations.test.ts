import { describe, expect, it } from '@jest/globals';
import { toGatewayError } from '../../../src/cobalt/cobalt-error-mapper';
import { CobaltFailureError, type CobaltFailure } from '../../../src/cobalt/cobalt-failure';
import type { CobaltResponse } from '../../../src/cobalt/cobalt-transport';
import { accountScope } from '../../../src/cobalt/operations/account-scope';
import { createSessionToken } from '../../../src/cobalt/operations/create-session-token';
import { getApplication } from '../../../src/cobalt/operations/get-application';
import { revokeSessionToken } from '../../../src/cobalt/operations/revoke-session-token';
import { upsertLinkedAccount } from '../../../src/cobalt/operations/upsert-linked-account';

const RECEIVED_AT = Date.UTC(2026, 0, 1);

const answer = (status: number, body: unknown, retryAfter?: string): CobaltResponse => ({
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  retryAfter,
  receivedAt: RECEIVED_AT,
});

function failureOf(read: () => unknown): CobaltFailure {
  try {
    read();
  } catch (error) {
    if (error instanceof CobaltFailureError) return error.failure;
    throw error;
  }
  throw new Error('the answer was accepted');
}

describe('the Cobalt operations', () => {
  it('mint: sends force_refresh only when asked, and dates expires_in from when the answer arrived', () => {
    const op = createSessionToken('user_1', false);
    expect(op.request).toMatchObject({ method: 'POST', auth: 'api-key', body: { linked_account_id: 'user_1' } });
    expect(op.request.params).toBeUndefined();
    expect(createSessionToken('user_1', true).request.params).toEqual({ force_refresh: 'true' });

    const token = op.read(answer(200, { token: 'opaque', expires_in: 3600 }));

    expect(token).toMatchObject({ token: 'opaque', linkedAccountId: 'user_1' });
    expect(token.expiresAt.getTime()).toBe(RECEIVED_AT + 3600_000);
  });

  it('mint: an answer without a usable token or expiry is a bad answer', () => {
    const op = createSessionToken('user_1', false);

    expect(failureOf(() => op.read(answer(200, 'not json')))).toEqual({
      kind: 'invalid-response',
      reason: 'body is not JSON',
    });
    expect(failureOf(() => op.read(answer(200, { token: 'opaque' })))).toEqual({
      kind: 'invalid-response',
      reason: 'no-expiry',
    });
  });

  it('reads Retry-After, as seconds or as a date relative to when the answer arrived', () => {
    const op = createSessionToken('user_1', false);
    const at = new Date(RECEIVED_AT + 30_000).toUTCString();

    expect(failureOf(() => op.read(answer(429, { error: 'RATE_LIMITED' }, '7')))).toMatchObject({
      kind: 'http',
      status: 429,
      retryAfterSeconds: 7,
      body: { errorCode: 'RATE_LIMITED' },
    });
    expect(failureOf(() => op.read(answer(429, '', at)))).toMatchObject({ retryAfterSeconds: 30 });
  });

  it('revoke: a 401 means Cobalt already considers the token invalid', () => {
    const op = revokeSessionToken('the-token');

    expect(op.request.auth).toEqual({ bearer: 'the-token' });
    expect(op.read(answer(401, { error: 'Unauthorized' }))).toBe(false);
    expect(op.read(answer(200, { success: true, revoked_count: 1 }))).toBe(true);
    expect(op.read(answer(200, { success: true, revoked_count: 0 }))).toBe(false);
  });

  it('upsert: an answer about another account is a bad answer', () => {
    const op = upsertLinkedAccount('user_1', { name: 'Ada' });

    expect(op.request.body).toEqual({ linked_account_id: 'user_1', name: 'Ada' });
    expect(failureOf(() => op.read(answer(200, { account_id: 'user_2' })))).toEqual({
      kind: 'invalid-response',
      reason: 'upsert answered for another account',
    });
  });

  it('get application: encodes the slug, and a 404 not about the account means no such integration', () => {
    const op = getApplication('user_1', 'a/b');
    expect(op.request.path).toBe('/api/v2/public/application/a%2Fb');

    const failure = failureOf(() => op.read(answer(404, { message: "Application with app_type 'a/b' not found" })));

    expect(toGatewayError(failure).error.code).toBe('INTEGRATION_NOT_FOUND');
  });

  it('names the account in a header only when the header carries it unchanged', () => {
    expect(accountScope('user_1')).toEqual({
      params: { linked_account_id: 'user_1' },
      headers: { linked_account_id: 'user_1' },
    });
    for (const id of [' user_1', 'user_1 ', 'usér', 'a\r\nb']) {
      expect(accountScope(id)).toEqual({ params: { linked_account_id: id } });
    }
  });
});
