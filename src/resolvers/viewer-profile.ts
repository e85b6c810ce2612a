import type { ViewerProfile } from '../auth/viewer';
import type { LinkedAccountProfile } from '../cobalt/linked-account';

/** The token's profile claims as Cobalt takes them: user-defined fields are text (cobalt-api.md §5.2). */
export function toLinkedAccountProfile(profile: ViewerProfile): LinkedAccountProfile {
  const udf = Object.fromEntries(Object.entries(profile.udf).map(([key, value]) => [key, String(value)]));
  return {
    ...(profile.name !== undefined && { name: profile.name }),
    ...(Object.keys(udf).length > 0 && { udf }),
  };
}
