import { z } from 'zod';
import type { DeepReadonly } from '../deep-freeze';
import { flag, optionalNonEmpty, splitList } from './env-values';
import type { ParseContext } from './parse-context';

/** What the gateway sends to Cobalt when it creates a linked account for a signed-in user. */
export const provisioningEnv = z.object({
  COBALT_AUTO_PROVISION: flag
    .default(false)
    .describe(
      'Create the linked account at Cobalt (name and fields from the JWT) when a mint meets "No linked account found". Off by default: linked accounts may count toward the Cobalt bill.',
    ),
  AUTH_NAME_CLAIM: z
    .string()
    .trim()
    .min(1)
    .max(256)
    .default('name')
    .describe("JWT claim holding the user's display name, sent to Cobalt when a linked account is provisioned."),
  AUTH_UDF_CLAIMS: optionalNonEmpty.describe(
    'Comma-separated JWT claims sent to Cobalt as user-defined fields when provisioning (`claim` or `field=claim`).',
  ),
});

type ProvisioningEnv = z.output<typeof provisioningEnv>;

// Field and claim names: printable, no separators of this list; namespaced claims (URLs) are fine.
const CLAIM_NAME = /^[\x21-\x7e]{1,256}$/;
const MAX_UDF_CLAIMS = 32;

function parseUdfClaims(raw: string | undefined, problems: string[]) {
  const entries = splitList(raw);
  if (entries.length > MAX_UDF_CLAIMS) problems.push(`AUTH_UDF_CLAIMS: at most ${MAX_UDF_CLAIMS} entries`);
  return entries.map((entry) => {
    const at = entry.indexOf('=');
    const field = (at === -1 ? entry : entry.slice(0, at)).trim();
    const claim = (at === -1 ? entry : entry.slice(at + 1)).trim();
    if (!CLAIM_NAME.test(field) || !CLAIM_NAME.test(claim)) {
      problems.push('AUTH_UDF_CLAIMS: each entry is `claim` or `field=claim`, printable ASCII without spaces');
    }
    return { field, claim };
  });
}

export function parseProfileClaims(env: ProvisioningEnv, { problems }: ParseContext) {
  return {
    name: env.AUTH_NAME_CLAIM,
    /** User-defined field name → the claim it is read from. */
    udf: parseUdfClaims(env.AUTH_UDF_CLAIMS, problems),
  };
}

export type ProfileClaims = DeepReadonly<ReturnType<typeof parseProfileClaims>>;
