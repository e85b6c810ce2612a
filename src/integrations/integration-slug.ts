/**
 * Slugs name Cobalt applications (`slack`, `hubspot`, `google_calendar`) and go into a URL path
 * (`/application/{slug}`). Letters, digits, `_` and `-` only: no `.`, `/`, `%` or space that could
 * move the request to another route, whatever the encoding does.
 */
const SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isValidSlug(value: string): boolean {
  return SLUG.test(value);
}
