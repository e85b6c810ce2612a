import { describe, expect, it } from '@jest/globals';
import { readProfileClaims } from '../../../src/auth/profile-claims';

const claims = {
  name: 'name',
  udf: [
    { field: 'plan', claim: 'plan' },
    { field: 'seats', claim: 'seats' },
    { field: 'beta', claim: 'beta' },
    { field: 'tenant', claim: 'https://acme.example/tenant' },
  ],
};

describe('readProfileClaims', () => {
  it('takes the name and the configured fields, keeping numbers and booleans', () => {
    const profile = readProfileClaims(
      { name: 'Ada', plan: 'pro', seats: 3, beta: false, 'https://acme.example/tenant': 'acme', other: 'x' },
      claims,
    );

    expect(profile).toEqual({ name: 'Ada', udf: { plan: 'pro', seats: 3, beta: false, tenant: 'acme' } });
  });

  it.each<[string, unknown]>([
    ['a newline', 'Ada\nAdmin'],
    ['a NUL', 'Ada\u0000'],
    ['a line separator', 'Ada\u2028x'],
    ['a blank', '  '],
    ['too long', 'a'.repeat(257)],
    ['an object', { first: 'Ada' }],
    ['an array', ['Ada']],
    ['a number', 7],
  ])('drops a name with %s instead of refusing the sign-in', (_label, name) => {
    expect(readProfileClaims({ name }, claims)).toEqual({ udf: {} });
  });

  it('drops field values that are not text, finite numbers or booleans', () => {
    const profile = readProfileClaims(
      { plan: { tier: 'pro' }, seats: Number.NaN, beta: null, 'https://acme.example/tenant': 'x'.repeat(1025) },
      claims,
    );

    expect(profile).toEqual({ udf: {} });
  });

  it('counts length in characters, not UTF-16 units', () => {
    expect(readProfileClaims({ name: '😀'.repeat(256) }, claims).name).toBe('😀'.repeat(256));
  });
});
