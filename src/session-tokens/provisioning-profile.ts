import type { ViewerProfile } from '../auth/viewer';
import type { LinkedAccountProfile } from '../cobalt/linked-account';

/**
 * The bearer token's profile claims as Cobalt takes them when a mint provisions the account:
 * user-defined fields are text (docs/cobalt-contract.md#linked-accounts).
 */
export function provisioningProfile(profile: ViewerProfile): LinkedAccountProfile {
  const udf = Object.fromEntries(Object.entries(profile.udf).map(([key, value]) => [key, String(value)]));
  return {
    ...(profile.name !== undefined && { name: profile.name }),
    ...(Object.keys(udf).length > 0 && { udf }),
  };
}
