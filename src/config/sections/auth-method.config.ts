import { z } from 'zod';
import { Secret } from '../secret';
import { httpUrl, integer, optionalNonEmpty, splitList } from './env-values';
import type { ParseContext } from './parse-context';

/** How bearer tokens are verified: a shared HMAC secret or an identity provider's JWKS. */
export const authMethodEnv = z.object({
  AUTH_JWT_SECRET: optionalNonEmpty.describe(
    'HS256 secret of your identity provider (at least 32 characters). Exclusive with `AUTH_JWKS_URL`.',
  ),
  AUTH_JWKS_URL: httpUrl()
    .optional()
    .or(z.literal('').transform(() => undefined))
    .describe('JWKS URL of your identity provider (RS256/ES256 keys). Exclusive with `AUTH_JWT_SECRET`.'),
  AUTH_JWT_ALGORITHMS: z
    .string()
    .optional()
    .describe('Comma-separated allowlist for JWKS keys. Default `RS256,ES256`; HS256 with a secret.'),
  AUTH_JWKS_CACHE_MAX_AGE_S: integer(1, 86_400)
    .default(600)
    .describe('How long fetched JWKS keys are used before the set is fetched again (new keys come sooner).'),
  AUTH_JWKS_MAX_STALE_S: integer(0, 86_400)
    .default(3600)
    .describe('While the JWKS URL is unreachable, keep using the last good key set for at most this long.'),
});

type AuthMethodEnv = z.output<typeof authMethodEnv>;

/**
 * Written out rather than inferred: the member follows from a rule over two variables (at most one
 * of `AUTH_JWT_SECRET` and `AUTH_JWKS_URL`, one of them in production) that no single variable's
 * schema can state, and the union is what lets the verifier narrow on `kind`.
 */
export type AuthConfig =
  | { readonly kind: 'secret'; readonly secret: Secret; readonly algorithms: readonly string[] }
  | {
      readonly kind: 'jwks';
      readonly jwksUrl: string;
      readonly algorithms: readonly string[];
      readonly cacheMaxAgeS: number;
      /** How long the last good key set bridges an identity-provider outage. */
      readonly maxStaleS: number;
    }
  /** Development only: main.ts generates a secret and prints a token signed with it. */
  | { readonly kind: 'dev-generated' };

const MIN_HMAC_SECRET_LENGTH = 32;
const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** The configured allowlist, or `defaults` when it is unset or blank. */
function algorithmsOr(raw: string | undefined, defaults: string[]): string[] {
  return raw === undefined || raw.trim() === '' ? defaults : splitList(raw);
}

export function parseAuthMethod(env: AuthMethodEnv, { production, problems }: ParseContext): AuthConfig {
  const { AUTH_JWT_SECRET: secret, AUTH_JWKS_URL: jwksUrl } = env;
  if (secret !== undefined && jwksUrl !== undefined) {
    problems.push('AUTH_JWT_SECRET, AUTH_JWKS_URL: set exactly one of them');
    return { kind: 'dev-generated' };
  }
  if (secret !== undefined) {
    // RFC 8725 §3.5: an HMAC key must not be a human-sized password.
    if (secret.length < MIN_HMAC_SECRET_LENGTH) {
      problems.push(`AUTH_JWT_SECRET: must be at least ${MIN_HMAC_SECRET_LENGTH} characters`);
    }
    const algorithms = algorithmsOr(env.AUTH_JWT_ALGORITHMS, ['HS256']);
    if (algorithms.some((a) => !HMAC_ALGORITHMS.includes(a))) {
      problems.push('AUTH_JWT_ALGORITHMS: only HS256, HS384 or HS512 go with AUTH_JWT_SECRET');
    }
    return { kind: 'secret', secret: new Secret(secret), algorithms };
  }
  if (jwksUrl !== undefined) {
    const algorithms = algorithmsOr(env.AUTH_JWT_ALGORITHMS, ['RS256', 'ES256']);
    if (algorithms.some((a) => !JWKS_ALGORITHMS.includes(a))) {
      problems.push(`AUTH_JWT_ALGORITHMS: with AUTH_JWKS_URL use asymmetric ones (${JWKS_ALGORITHMS.join(', ')})`);
    }
    return {
      kind: 'jwks',
      jwksUrl,
      algorithms,
      cacheMaxAgeS: env.AUTH_JWKS_CACHE_MAX_AGE_S,
      maxStaleS: env.AUTH_JWKS_MAX_STALE_S,
    };
  }
  if (production) problems.push('AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required in production');
  return { kind: 'dev-generated' };
}
