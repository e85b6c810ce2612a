import { describe, expect, it } from '@jest/globals';
import { createJwtVerifier } from '../../../src/auth/jwt-verifier';
import { loadConfig } from '../../../src/config/load-config';
import { signTestJwt, TEST_JWT_SECRET } from '../../support/jwt';
import { ManualClock } from '../../support/manual-clock';

const settings = loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET, AUTH_CLOCK_TOLERANCE_S: '5' }).auth;

describe('createJwtVerifier', () => {
  it('refuses a remembered token once its exp (plus tolerance) has passed', async () => {
    const clock = new ManualClock();
    const verifier = createJwtVerifier(settings, undefined, { clock });
    const token = await signTestJwt({ sub: 'user-1' }, { expiresIn: 60, clock });

    const first = await verifier.verify(`Bearer ${token}`);
    await clock.advance(30_000);
    const whileValid = await verifier.verify(`Bearer ${token}`);
    await clock.advance(36_000);
    const afterExpiry = await verifier.verify(`Bearer ${token}`);

    expect(first).toEqual({
      ok: true,
      viewer: { subject: 'user-1', linkedAccountId: 'user-1', profile: { udf: {} } },
    });
    expect(whileValid).toEqual(first);
    expect(afterExpiry).toEqual({ ok: false, reason: 'expired' });
  });

  it('judges exp and nbf on its clock, not the wall clock', async () => {
    const clock = new ManualClock(Date.now());
    const verifier = createJwtVerifier(settings, undefined, { clock });
    const expiresSoon = await signTestJwt({ sub: 'user-1' }, { expiresIn: 60, clock });
    const validLater = await signTestJwt({ sub: 'user-2' }, { notBefore: 3600, expiresIn: 7200, clock });

    const early = await verifier.verify(`Bearer ${validLater}`);
    await clock.advance(3_600_000);
    const expired = await verifier.verify(`Bearer ${expiresSoon}`);
    const valid = await verifier.verify(`Bearer ${validLater}`);

    expect(early).toEqual({ ok: false, reason: 'not-yet-valid' });
    expect(expired).toEqual({ ok: false, reason: 'expired' });
    expect(valid).toMatchObject({ ok: true, viewer: { linkedAccountId: 'user-2' } });
  });

  it('remembers only tokens that verified', async () => {
    const verifier = createJwtVerifier(settings);
    const good = await signTestJwt({ sub: 'user-1' });
    const forged = `${good.slice(0, good.lastIndexOf('.'))}.${'A'.repeat(43)}`;

    await verifier.verify(`Bearer ${good}`);

    expect(await verifier.verify(`Bearer ${forged}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await verifier.verify(`Bearer ${forged}`)).toEqual({ ok: false, reason: 'bad-signature' });
  });
});
