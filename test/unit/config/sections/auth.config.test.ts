import { describe, expect, it } from '@jest/globals';
import { authMethodEnv, parseAuthMethod } from '../../../../src/config/sections/auth-method.config';
import { authClaimsEnv, parseAuth } from '../../../../src/config/sections/auth.config';
import { provisioningEnv } from '../../../../src/config/sections/provisioning.config';
import { parseSection } from './parse-section';

const SECRET = 'a-very-long-hmac-secret-that-is-32-chars-or-more';
const JWKS_URL = 'https://idp.test/.well-known/jwks.json';

function parseMethod(vars: Record<string, string>, production = false) {
  return parseSection(authMethodEnv, parseAuthMethod, vars, production);
}

describe('auth method settings', () => {
  it('verifies HS256 by default with a secret, and takes the other HMAC sizes when listed', () => {
    expect(parseMethod({ AUTH_JWT_SECRET: SECRET }).value).toMatchObject({ kind: 'secret', algorithms: ['HS256'] });
    expect(parseMethod({ AUTH_JWT_SECRET: SECRET, AUTH_JWT_ALGORITHMS: ' HS384 , HS512 ' })).toMatchObject({
      value: { kind: 'secret', algorithms: ['HS384', 'HS512'] },
      problems: [],
    });
  });

  it('verifies RS256 and ES256 by default with a JWKS, with its cache settings', () => {
    const { value: method, problems } = parseMethod({
      AUTH_JWKS_URL: JWKS_URL,
      AUTH_JWT_ALGORITHMS: '  ',
      AUTH_JWKS_CACHE_MAX_AGE_S: '60',
      AUTH_JWKS_MAX_STALE_S: '0',
    });

    expect(problems).toEqual([]);
    expect(method).toEqual({
      kind: 'jwks',
      jwksUrl: JWKS_URL,
      algorithms: ['RS256', 'ES256'],
      cacheMaxAgeS: 60,
      maxStaleS: 0,
    });
  });

  it('reports only the conflict when both methods are set, not the secret they would have checked', () => {
    expect(parseMethod({ AUTH_JWT_SECRET: 'short', AUTH_JWKS_URL: JWKS_URL }).problems).toEqual([
      'AUTH_JWT_SECRET, AUTH_JWKS_URL: set exactly one of them',
    ]);
  });

  it('generates a development secret only outside production', () => {
    expect(parseMethod({})).toEqual({ value: { kind: 'dev-generated' }, problems: [] });
    expect(parseMethod({}, true).problems).toEqual(['AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required in production']);
  });

  it('reads a blank method variable as unset', () => {
    expect(parseMethod({ AUTH_JWT_SECRET: '   ', AUTH_JWKS_URL: '' }).value).toEqual({ kind: 'dev-generated' });
  });
});

describe('auth claim settings', () => {
  function parseClaims(vars: Record<string, string>) {
    const env = { ...authMethodEnv.parse(vars), ...authClaimsEnv.parse(vars), ...provisioningEnv.parse(vars) };
    return parseAuth(env, { production: false, problems: [] });
  }

  it('checks issuer and audience only when they are configured', () => {
    const unset = parseClaims({});

    expect(unset).not.toHaveProperty('issuer');
    expect(unset).not.toHaveProperty('audience');
    expect(parseClaims({ AUTH_JWT_ISSUER: ' https://idp.test/ ', AUTH_JWT_AUDIENCE: 'gateway' })).toMatchObject({
      issuer: 'https://idp.test/',
      audience: 'gateway',
    });
  });

  it('keeps the method beside the claim rules', () => {
    expect(
      parseClaims({ AUTH_JWKS_URL: JWKS_URL, AUTH_LINKED_ACCOUNT_CLAIM: 'uid', AUTH_CLOCK_TOLERANCE_S: '0' }),
    ).toMatchObject({
      kind: 'jwks',
      linkedAccountClaim: 'uid',
      clockToleranceS: 0,
      profileClaims: { name: 'name', udf: [] },
    });
  });
});
