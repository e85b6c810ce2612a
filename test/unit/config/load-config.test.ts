import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { ConfigError, loadConfig } from '../../../src/config/load-config';

const SECRET = 'a-very-long-hmac-secret-that-is-32-chars-or-more';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the embedded default with an empty environment', () => {
    const config = loadConfig({});

    expect(config).toMatchObject({
      nodeEnv: 'development',
      http: { host: '127.0.0.1', port: 4000, maxBodyBytes: 65536 },
      logLevel: 'info',
      cobalt: { kind: 'embedded-emulator', timeoutMs: 5000 },
      auth: { kind: 'dev-generated', linkedAccountClaim: 'sub', clockToleranceS: 30 },
      graphql: { introspection: true },
    });
  });

  it('builds a remote Cobalt config with the key kept secret', () => {
    const config = loadConfig({ COBALT_API_KEY: 'tk_secret_value', COBALT_BASE_URL: 'https://api.example.test/' });

    expect(config.cobalt.kind).toBe('remote');
    if (config.cobalt.kind !== 'remote') return;
    expect(config.cobalt.baseUrl).toBe('https://api.example.test');
    expect(config.cobalt.apiKey.reveal()).toBe('tk_secret_value');
    expect(JSON.stringify(config)).not.toContain('tk_secret_value');
    expect(inspect(config, { depth: 10 })).not.toContain('tk_secret_value');
  });

  it('lists every problem at once, naming variables and never their values', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      COBALT_BASE_URL: 'ftp://nope',
      COBALT_TIMEOUT_MS: '-1',
      NODE_ENV: 'staging',
    });

    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['PORT', 'LOG_LEVEL', 'COBALT_BASE_URL', 'COBALT_TIMEOUT_MS', 'NODE_ENV']),
    );
    expect(problems.join('\n')).not.toMatch(/eighty|loud|ftp:\/\/nope/);
  });

  it('requires a Cobalt key and an auth method in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });

    expect(problems.some((p) => p.startsWith('COBALT_API_KEY'))).toBe(true);
    expect(problems.some((p) => p.startsWith('AUTH_JWT_SECRET or AUTH_JWKS_URL'))).toBe(true);
  });

  it('turns introspection off in production unless asked', () => {
    const base = { NODE_ENV: 'production', COBALT_API_KEY: 'pk_x', AUTH_JWT_SECRET: SECRET };

    expect(loadConfig(base).graphql.introspection).toBe(false);
    expect(loadConfig({ ...base, GRAPHQL_INTROSPECTION: 'true' }).graphql.introspection).toBe(true);
  });

  it('refuses a short HMAC secret without printing it', () => {
    const problems = problemsOf({ AUTH_JWT_SECRET: 'short-secret' });

    expect(problems).toEqual(['AUTH_JWT_SECRET: must be at least 32 characters']);
  });

  it('refuses both auth methods at once', () => {
    expect(problemsOf({ AUTH_JWT_SECRET: SECRET, AUTH_JWKS_URL: 'https://idp.test/jwks' })[0]).toMatch(
      /set exactly one/,
    );
  });

  it('refuses symmetric algorithms with a JWKS and asymmetric ones with a secret', () => {
    expect(problemsOf({ AUTH_JWKS_URL: 'https://idp.test/jwks', AUTH_JWT_ALGORITHMS: 'HS256' })[0]).toMatch(
      /^AUTH_JWT_ALGORITHMS/,
    );
    expect(problemsOf({ AUTH_JWT_SECRET: SECRET, AUTH_JWT_ALGORITHMS: 'RS256' })[0]).toMatch(/^AUTH_JWT_ALGORITHMS/);
    expect(problemsOf({ AUTH_JWKS_URL: 'https://idp.test/jwks', AUTH_JWT_ALGORITHMS: 'none' })[0]).toMatch(
      /^AUTH_JWT_ALGORITHMS/,
    );
  });

  it('takes CORS origins as exact scheme://host[:port] entries', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.test, http://localhost:5173' }).http.corsOrigins).toEqual([
      'https://a.test',
      'http://localhost:5173',
    ]);
    expect(problemsOf({ CORS_ORIGINS: 'https://a.test/, *' })).toEqual([
      'CORS_ORIGINS: each entry must look like https://host[:port]',
      'CORS_ORIGINS: each entry must look like https://host[:port]',
    ]);
  });

  it('keeps provisioning off and reads the profile claims', () => {
    expect(loadConfig({})).toMatchObject({
      autoProvision: false,
      integrations: { cacheTtlS: 30 },
      auth: { profileClaims: { name: 'name', udf: [] } },
    });
    const config = loadConfig({
      COBALT_AUTO_PROVISION: 'true',
      AUTH_NAME_CLAIM: 'nickname',
      AUTH_UDF_CLAIMS: ' plan , tenant=https://acme.example/tenant ',
      INTEGRATIONS_CACHE_TTL_S: '0',
    });
    expect(config).toMatchObject({
      autoProvision: true,
      integrations: { cacheTtlS: 0 },
      auth: {
        profileClaims: {
          name: 'nickname',
          udf: [
            { field: 'plan', claim: 'plan' },
            { field: 'tenant', claim: 'https://acme.example/tenant' },
          ],
        },
      },
    });
  });

  it('refuses malformed profile-claim settings', () => {
    expect(problemsOf({ AUTH_UDF_CLAIMS: 'my plan' })).toEqual([expect.stringMatching(/^AUTH_UDF_CLAIMS:/)]);
    expect(problemsOf({ AUTH_UDF_CLAIMS: '=plan' })).toEqual([expect.stringMatching(/^AUTH_UDF_CLAIMS:/)]);
    expect(problemsOf({ COBALT_AUTO_PROVISION: 'yes' })).toEqual([expect.stringMatching(/^COBALT_AUTO_PROVISION:/)]);
    expect(problemsOf({ INTEGRATIONS_CACHE_TTL_S: '-1' })).toEqual([
      expect.stringMatching(/^INTEGRATIONS_CACHE_TTL_S:/),
    ]);
  });

  it('still applies the rules across variables when one variable is invalid', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PORT: 'eighty', CORS_ORIGINS: '*' });

    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['PORT', 'COBALT_API_KEY', 'AUTH_JWT_SECRET or AUTH_JWKS_URL', 'CORS_ORIGINS']),
    );
  });

  it('ignores variables it does not know', () => {
    expect(() => loadConfig({ SOME_OTHER_TOOL_SETTING: 'x' })).not.toThrow();
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
  });
});
