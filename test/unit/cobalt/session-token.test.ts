import { describe, expect, it } from '@jest/globals';
import { readSessionToken } from '../../../src/cobalt/session-token';

const now = Date.parse('2026-11-25T12:00:00Z');
const nowS = now / 1000;

function jwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}.c2lnbmF0dXJl`;
}

describe('readSessionToken', () => {
  it('dates a 72 h token from its exp claim, as in Cobalt samples', () => {
    const token = jwt({ linked_account_id: 'u1', iat: nowS, exp: nowS + 259_200 });

    const read = readSessionToken({ token }, 'u1', now);

    expect(read).toEqual({
      token,
      linkedAccountId: 'u1',
      expiresAt: new Date(now + 259_200_000),
      issuedAt: new Date(now),
    });
  });

  it('uses expires_in when the token carries no exp', () => {
    const read = readSessionToken({ token: 'opaque-token', expires_in: 600 }, 'u1', now);

    expect(read).toMatchObject({ expiresAt: new Date(now + 600_000) });
  });

  it('takes the earlier of exp and expires_in', () => {
    const token = jwt({ exp: nowS + 7200 });

    expect(readSessionToken({ token, expires_in: 3600 }, 'u1', now)).toMatchObject({
      expiresAt: new Date(now + 3_600_000),
    });
    expect(readSessionToken({ token, expires_in: 99_999 }, 'u1', now)).toMatchObject({
      expiresAt: new Date(now + 7_200_000),
    });
  });

  it('refuses a token it cannot date instead of assuming 24 h', () => {
    expect(readSessionToken({ token: 'opaque-token' }, 'u1', now)).toBe('no-expiry');
  });

  it('refuses an already expired token', () => {
    expect(readSessionToken({ token: jwt({ exp: nowS - 1 }) }, 'u1', now)).toBe('already-expired');
  });

  it('refuses a token Cobalt issued for another linked account', () => {
    expect(readSessionToken({ token: jwt({ exp: nowS + 60, linked_account_id: 'u2' }) }, 'u1', now)).toBe(
      'issued-for-another-account',
    );
  });
});
