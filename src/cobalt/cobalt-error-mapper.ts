import { ErrorCode } from '../errors/error-code';
import { GatewayError } from '../errors/gateway-error';
import type { CobaltFailure } from './cobalt-failure';
import type { CobaltErrorBody } from './cobalt.wire';

/**
 * Cobalt reports an unknown linked account as HTTP 500 with `error_code: SERVER_ERROR` (legacy docs)
 * or HTTP 400 with `error: INVALID_LINKED_ACCOUNT_ID` (current docs), always with the message
 * "No linked account found for account id : X in environment Y"
 * (docs/cobalt-contract.md#unknown-linked-account). So we match the code or the message, never the status.
 */
export function isUnknownLinkedAccount(body: CobaltErrorBody | undefined): boolean {
  if (body === undefined) return false;
  return (
    body.errorCode === 'INVALID_LINKED_ACCOUNT_ID' ||
    /no linked account found/i.test(body.message ?? '') ||
    // The linked-account-scoped routes (GET /application…) answer 404 "Linked Account with account id
    // X for org Y in environment Z not found" instead (docs/cobalt-contract.md#unknown-linked-account).
    // Two linear searches rather than a regex with a gap: `.*` backtracks quadratically on a long
    // hostile message, and a bounded gap misses the longest valid ids.
    mentionsMissingLinkedAccount(body.message ?? '')
  );
}

function mentionsMissingLinkedAccount(message: string): boolean {
  const text = message.toLowerCase();
  const at = text.indexOf('linked account with account id ');
  return at !== -1 && text.indexOf(' not found', at) !== -1;
}

export type FailureSeverity = 'warn' | 'error';

export interface MappedFailure {
  readonly error: GatewayError;
  /** `error` for what an operator must fix (bad key, contract broken); `warn` for transient trouble. */
  readonly severity: FailureSeverity;
}

/** Parses `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: unknown, now: number = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const value = header.trim();
  let seconds: number;
  if (/^\d+$/.test(value)) {
    seconds = Number(value);
  } else {
    // An HTTP date always names a weekday and month; Date.parse alone accepts "-5" as a year.
    if (!/[a-z]{3}/i.test(value)) return undefined;
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.ceil((at - now) / 1000);
  }
  // A day is already absurd for a token mint; larger values are more likely garbage than intent.
  return Math.min(Math.max(seconds, 0), 86_400);
}

/** The only place where a Cobalt failure becomes a client-visible code. */
export function toGatewayError(failure: CobaltFailure): MappedFailure {
  switch (failure.kind) {
    case 'timeout':
    case 'network':
      return { error: new GatewayError(ErrorCode.COBALT_UNAVAILABLE), severity: 'warn' };
    case 'invalid-response':
      return { error: new GatewayError(ErrorCode.COBALT_BAD_RESPONSE), severity: 'error' };
    case 'http': {
      const { status } = failure;
      if (isUnknownLinkedAccount(failure.body)) {
        return { error: new GatewayError(ErrorCode.LINKED_ACCOUNT_NOT_FOUND), severity: 'warn' };
      }
      if (status === 401 || status === 403) {
        // Our key is wrong, not the user's credentials: never UNAUTHENTICATED, which would send a
        // signed-in user to sign in again for a fault only an operator can fix.
        return { error: new GatewayError(ErrorCode.COBALT_AUTH_FAILED), severity: 'error' };
      }
      if (status === 404 && failure.resource === 'application') {
        // GET /application/{slug} for a slug the org does not have: 404 EXTERNAL_API_FAILURE "Application
        // with app_type 'x' not found" (docs/cobalt-contract.md#applications-and-connect-urls). The
        // account case was matched above.
        return { error: new GatewayError(ErrorCode.INTEGRATION_NOT_FOUND), severity: 'warn' };
      }
      if (status === 429) {
        const retry = failure.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: failure.retryAfterSeconds };
        return { error: new GatewayError(ErrorCode.COBALT_RATE_LIMITED, retry), severity: 'warn' };
      }
      if (status >= 500) return { error: new GatewayError(ErrorCode.COBALT_UNAVAILABLE), severity: 'warn' };
      if (status >= 200 && status < 400) {
        // 2xx that failed parsing arrives as invalid-response; a 3xx means Cobalt tried to redirect
        // us, which we never follow (the API key would travel with it).
        return { error: new GatewayError(ErrorCode.COBALT_BAD_RESPONSE), severity: 'error' };
      }
      // Any other 4xx means the gateway built a request Cobalt refuses: our bug, not the user's.
      return { error: new GatewayError(ErrorCode.INTERNAL_SERVER_ERROR), severity: 'error' };
    }
  }
}
