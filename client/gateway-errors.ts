import type { ErrorCode } from './generated/error-code';

/** Apollo's protocol-level codes: the request itself was malformed. */
export type ProtocolErrorCode = 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED' | 'BAD_REQUEST' | 'BAD_USER_INPUT';

/**
 * One failure of a gateway call, as a discriminated union a frontend can `switch` on:
 * `kind: 'gateway'` carries a code of the schema's `ErrorCode` enum (exhaustively checkable),
 * `kind: 'protocol'` a request the gateway could not run, `kind: 'unknown'` anything else.
 */
export type GatewayFailure =
  | {
      readonly kind: 'gateway';
      readonly code: ErrorCode;
      readonly message: string;
      readonly retryable: boolean;
      readonly retryAfterSeconds?: number;
      readonly requestId?: string;
    }
  | { readonly kind: 'protocol'; readonly code: ProtocolErrorCode; readonly message: string }
  | { readonly kind: 'unknown'; readonly message: string };

const ERROR_CODES: readonly ErrorCode[] = [
  'UNAUTHENTICATED',
  'LINKED_ACCOUNT_NOT_FOUND',
  'INTEGRATION_NOT_FOUND',
  'COBALT_UNAVAILABLE',
  'COBALT_RATE_LIMITED',
  'COBALT_AUTH_FAILED',
  'COBALT_BAD_RESPONSE',
  'RATE_LIMITED',
  'OVERLOADED',
  'BAD_USER_INPUT',
  'INTERNAL_SERVER_ERROR',
  'PERSISTED_QUERY_NOT_FOUND',
  'TRUSTED_DOCUMENT_REQUIRED',
];
const PROTOCOL_CODES: readonly string[] = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST'];

interface ErrorLike {
  readonly message?: unknown;
  readonly extensions?: { readonly [key: string]: unknown } | null;
}

export function toGatewayFailure(error: ErrorLike): GatewayFailure {
  const message = typeof error.message === 'string' ? error.message : 'Unknown error';
  const extensions = error.extensions ?? {};
  const code = extensions['code'];
  if (typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)) {
    const retryAfter = extensions['retryAfterSeconds'];
    const requestId = extensions['requestId'];
    return {
      kind: 'gateway',
      code: code as ErrorCode,
      message,
      retryable: extensions['retryable'] === true,
      ...(typeof retryAfter === 'number' && { retryAfterSeconds: retryAfter }),
      ...(typeof requestId === 'string' && { requestId }),
    };
  }
  if (typeof code === 'string' && PROTOCOL_CODES.includes(code)) {
    return { kind: 'protocol', code: code as ProtocolErrorCode, message };
  }
  return { kind: 'unknown', message };
}
