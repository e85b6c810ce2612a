// A header value that survives axios and HTTP unchanged: printable ASCII, no surrounding spaces.
const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * How a linked-account-scoped call names the account: always the `linked_account_id` query parameter
 * (URL-encoded, so any id travels intact), plus the header Cobalt's guide shows when the id survives
 * a header unchanged. axios silently drops non-Latin-1 characters and strips CR/LF from header
 * values, and HTTP trims surrounding spaces, so an id outside printable ASCII could name another
 * account in a header; Cobalt prefers the header when both are sent
 * (docs/cobalt-contract.md#applications-and-connect-urls).
 */
export function accountScope(linkedAccountId: string): {
  params: Record<string, string>;
  headers?: Record<string, string>;
} {
  return {
    params: { linked_account_id: linkedAccountId },
    ...(HEADER_SAFE.test(linkedAccountId) && { headers: { linked_account_id: linkedAccountId } }),
  };
}
