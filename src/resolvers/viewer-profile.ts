import type { ViewerProfile } from '../auth/viewer';
import type { LinkedAccountProfile } from '../cobalt/linked-account';

/**
 * The token's profile claims as Cobalt takes them: Cobalt documents user-defined fields as an object of
 * string values (docs/cobalt-contract.md#linked-accounts).
 */
export function toLinkedAccountProfile(profile: ViewerProfile): LinkedAccountProfile {
  const udf = Object.fromEntries(Object.entries(profile.udf).map(([key, value]) => [key, String(value)]));
  return {
    ...(profile.name !== undefined && { name: profile.name }),
    ...(Object.keys(udf).length > 0 && { udf }),
  };
}
