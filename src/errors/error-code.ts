import { registerEnumType } from 'type-graphql';

/**
 * Every code a client can see in `extensions.code` for a failure of ours. The names are API: they are
 * published in the schema (see `ErrorExtensions`), generated into frontend types, and listed in the README.
 * Apollo's own protocol errors (`GRAPHQL_PARSE_FAILED`, `GRAPHQL_VALIDATION_FAILED`, `BAD_REQUEST`) keep
 * their standard codes and are not part of this enum.
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  LINKED_ACCOUNT_NOT_FOUND = 'LINKED_ACCOUNT_NOT_FOUND',
  INTEGRATION_NOT_FOUND = 'INTEGRATION_NOT_FOUND',
  COBALT_UNAVAILABLE = 'COBALT_UNAVAILABLE',
  COBALT_RATE_LIMITED = 'COBALT_RATE_LIMITED',
  COBALT_AUTH_FAILED = 'COBALT_AUTH_FAILED',
  COBALT_BAD_RESPONSE = 'COBALT_BAD_RESPONSE',
  RATE_LIMITED = 'RATE_LIMITED',
  OVERLOADED = 'OVERLOADED',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND',
  TRUSTED_DOCUMENT_REQUIRED = 'TRUSTED_DOCUMENT_REQUIRED',
}

export interface CodePolicy {
  /** Whether the same request may succeed if the client sends it again later. */
  readonly retryable: boolean;
  /** The message clients see. Fixed text: upstream bodies, URLs and headers never reach a client. */
  readonly message: string;
  /** Published in the schema and the README. */
  readonly description: string;
}

/** One row per code; the mapped type makes a missing row a compile error. */
export const errorPolicy: { readonly [C in ErrorCode]: CodePolicy } = {
  [ErrorCode.UNAUTHENTICATED]: {
    retryable: false,
    message: 'Authentication required: send a valid bearer token.',
    description: 'The request has no bearer token, or it is invalid or expired. Sign in again.',
  },
  [ErrorCode.LINKED_ACCOUNT_NOT_FOUND]: {
    retryable: false,
    message: 'No Cobalt linked account exists for this user.',
    description:
      'Cobalt knows no linked account for the signed-in user (Cobalt answers 400 or 500 for this). Provision it first.',
  },
  [ErrorCode.INTEGRATION_NOT_FOUND]: {
    retryable: false,
    message: 'No such integration.',
    description: 'Cobalt knows no application with this slug for your organisation (Cobalt answered 404).',
  },
  [ErrorCode.COBALT_UNAVAILABLE]: {
    retryable: true,
    message: 'Cobalt is unavailable. Try again shortly.',
    description: 'Cobalt timed out, refused the connection or answered 5xx.',
  },
  [ErrorCode.COBALT_RATE_LIMITED]: {
    retryable: true,
    message: 'Cobalt is rate limiting this organisation. Try again later.',
    description: 'Cobalt answered 429. `retryAfterSeconds` is set when Cobalt said how long to wait.',
  },
  [ErrorCode.COBALT_AUTH_FAILED]: {
    retryable: false,
    message: 'The gateway could not authenticate to Cobalt.',
    description:
      "Cobalt rejected the gateway's API key (401/403): the key is wrong or for another environment. An operator must fix it.",
  },
  [ErrorCode.COBALT_BAD_RESPONSE]: {
    retryable: true,
    message: 'Cobalt sent a response the gateway could not understand.',
    description: 'Cobalt answered 2xx without JSON or not in its documented shape (e.g. without a usable token).',
  },
  [ErrorCode.RATE_LIMITED]: {
    retryable: true,
    message: 'Too many requests. Try again later.',
    description: 'The gateway limited this user or client. `retryAfterSeconds` says how long to wait.',
  },
  [ErrorCode.OVERLOADED]: {
    retryable: true,
    message: 'The gateway is overloaded. Try again shortly.',
    description:
      'This gateway instance is shedding load (HTTP 503 with `Retry-After`); the request was not run. `retryAfterSeconds` says how long to wait.',
  },
  [ErrorCode.BAD_USER_INPUT]: {
    retryable: false,
    message: 'The request input is invalid.',
    description: 'An argument or variable is invalid.',
  },
  [ErrorCode.INTERNAL_SERVER_ERROR]: {
    retryable: false,
    message: 'Internal server error.',
    description: 'Something unexpected failed. Quote `requestId` to the operators; the details are in their logs.',
  },
  [ErrorCode.PERSISTED_QUERY_NOT_FOUND]: {
    retryable: false,
    message: 'PersistedQueryNotFound',
    description:
      'The document id (`documentId` or `extensions.persistedQuery.sha256Hash`) is not in the trusted documents manifest.',
  },
  [ErrorCode.TRUSTED_DOCUMENT_REQUIRED]: {
    retryable: false,
    message: 'This gateway runs trusted documents only: send the document id, not its text.',
    description: 'A full document was sent to a gateway with `TRUSTED_DOCUMENTS=require`. Send its manifest id.',
  },
};

registerEnumType(ErrorCode, {
  name: 'ErrorCode',
  description: 'Machine-readable code in `extensions.code` of every error the gateway itself raises.',
  valuesConfig: Object.fromEntries(
    Object.values(ErrorCode).map((code) => [code, { description: errorPolicy[code].description }]),
  ),
});

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorPolicy, value);
}
