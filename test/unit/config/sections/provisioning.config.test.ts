import { describe, expect, it } from '@jest/globals';
import { parseProfileClaims, provisioningEnv } from '../../../../src/config/sections/provisioning.config';
import { parseSection } from './parse-section';

function parse(vars: Record<string, string>) {
  return parseSection(provisioningEnv, parseProfileClaims, vars);
}

describe('provisioning settings', () => {
  it('takes at most 32 user-defined fields', () => {
    const claims = (count: number) => Array.from({ length: count }, (_, i) => `claim${i}`).join(',');

    expect(parse({ AUTH_UDF_CLAIMS: claims(32) }).problems).toEqual([]);
    expect(parse({ AUTH_UDF_CLAIMS: claims(33) }).problems).toEqual(['AUTH_UDF_CLAIMS: at most 32 entries']);
  });

  it('skips blank entries and reports each malformed one', () => {
    const { value: claims, problems } = parse({ AUTH_UDF_CLAIMS: 'plan,, ,field=,ok = x' });

    expect(claims.udf).toEqual([
      { field: 'plan', claim: 'plan' },
      { field: 'field', claim: '' },
      { field: 'ok', claim: 'x' },
    ]);
    expect(problems).toEqual([
      'AUTH_UDF_CLAIMS: each entry is `claim` or `field=claim`, printable ASCII without spaces',
    ]);
  });
});
