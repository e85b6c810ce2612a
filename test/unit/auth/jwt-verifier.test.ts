import { describe, expect, it, jest } from '@jest/globals';
import { createJwtVerifier } from '../../../src/auth/jwt-verifier';
import { loadConfig } from '../../../src/config/load-config';
import { signTestJwt, TEST_JWT_SECRET } from '../../support/jwt';

const settings = loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET, AUTH_CLOCK_TOLERANCE_S: '5' }).auth;

describe('createJwtVerifier', () => {
  it('refuses a remembered token once its exp (plus tolerance) has passed', async () => {
    const verifier = createJwtVerifier(settings);
    const token = await signTestJwt({ sub: 'user-1' }, { expiresIn: 60 });
    const realNow = Date.now();

    const first = await verifier.verify(`Bearer ${token}`);
    jest.spyOn(Date, 'now').mockReturnValue(realNow + 30_000);
    const whileValid = await verifier.verify(`Bearer ${token}`);
    jest.spyOn(Date, 'now').mockReturnValue(realNow + 66_000);
    const afterExpiry = await verifier.verify(`Bearer ${token}`);

    expect(first).toEqual({
      ok: true,
      viewer: { subject: 'user-1', linkedAccountId: 'user-1', profile: { udf: {} } },
    });
    expect(whileValid).toEqual(first);
    expect(afterExpiry).toEqual({ ok: false, reason: 'expired' });
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
