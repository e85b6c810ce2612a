import type { ProfileClaims } from '../config/load-config';
import type { ViewerProfile } from './viewer';

const MAX_NAME_LENGTH = 256;
const MAX_UDF_VALUE_LENGTH = 1024;
// Same refusal as for linked account ids: these values travel to Cobalt and show up in its dashboard.
const FORBIDDEN = /[\p{Cc}\p{Cs}\u2028\u2029]/u;

/** A display text fit to send to Cobalt: a string, bounded, without control characters, not blank. */
export function isCleanText(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.trim() !== '' && codePoints(value) <= maxLength && !FORBIDDEN.test(value);
}

/** Length in code points, as a user counts characters (not UTF-16 units). */
export function codePoints(value: string): number {
  let count = 0;
  for (const _codePoint of value) count += 1;
  return count;
}

/**
 * Reads the provisioning profile from verified claims. A claim that is missing or malformed is
 * dropped rather than failing the sign-in: a display name with a newline must not lock a user out.
 */
export function readProfileClaims(payload: Readonly<Record<string, unknown>>, claims: ProfileClaims): ViewerProfile {
  const name = payload[claims.name];
  const udf: Record<string, string | number | boolean> = {};
  for (const { field, claim } of claims.udf) {
    const value = payload[claim];
    if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) udf[field] = value;
    else if (isCleanText(value, MAX_UDF_VALUE_LENGTH)) udf[field] = value;
  }
  return { ...(isCleanText(name, MAX_NAME_LENGTH) && { name }), udf };
}
