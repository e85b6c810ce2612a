import { z } from 'zod';

/** Building blocks of the variables' schemas, so that equal rules read the same in every section. */

export const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const positiveMs = (max: number) => integer(1, max);

export const httpUrl = () => z.url({ protocol: /^https?$/ });

/** Unset and blank are the same: an empty `FOO=` line in an env file means "not configured". */
export const optionalNonEmpty = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/** Exactly `true` or `false`, so a typo such as `yes` is refused rather than read as off. */
export const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

/** The non-blank entries of a comma-separated list, trimmed. */
export function splitList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
