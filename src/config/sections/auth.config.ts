import { z } from 'zod';
import type { DeepReadonly } from '../deep-freeze';
import { parseAuthMethod, type authMethodEnv } from './auth-method.config';
import { integer, optionalNonEmpty } from './env-values';
import type { ParseContext } from './parse-context';
import { parseProfileClaims, type provisioningEnv } from './provisioning.config';

/** The claim rules every auth method shares; the method itself is in auth-method.config.ts. */
export const authClaimsEnv = z.object({
  AUTH_JWT_ISSUER: optionalNonEmpty.describe('Required `iss` claim, when set.'),
  AUTH_JWT_AUDIENCE: optionalNonEmpty.describe('Required `aud` claim, when set.'),
  AUTH_LINKED_ACCOUNT_CLAIM: z
    .string()
    .trim()
    .min(1)
    .default('sub')
    .describe('JWT claim holding the Cobalt linked account id.'),
  AUTH_CLOCK_TOLERANCE_S: integer(0, 300).default(30).describe('Leeway in seconds when checking `exp` and `nbf`.'),
});

type AuthEnv = z.output<typeof authClaimsEnv> & z.output<typeof authMethodEnv> & z.output<typeof provisioningEnv>;

export function parseAuth(env: AuthEnv, context: ParseContext) {
  return {
    ...parseAuthMethod(env, context),
    ...(env.AUTH_JWT_ISSUER !== undefined && { issuer: env.AUTH_JWT_ISSUER }),
    ...(env.AUTH_JWT_AUDIENCE !== undefined && { audience: env.AUTH_JWT_AUDIENCE }),
    linkedAccountClaim: env.AUTH_LINKED_ACCOUNT_CLAIM,
    /** Claims copied into the linked account when it is provisioned. */
    profileClaims: parseProfileClaims(env, context),
    clockToleranceS: env.AUTH_CLOCK_TOLERANCE_S,
  };
}

export type AuthSettings = DeepReadonly<ReturnType<typeof parseAuth>>;
