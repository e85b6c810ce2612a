/* Generated from schema/schema.graphql by GraphQL Code Generator. Do not edit. */
/** State of one connection between the user and an application. */
export type ConnectionStatus =
  /** Working. */
  | 'ACTIVE'
  /** The credentials expired: the user must connect again. */
  | 'EXPIRED'
  /** A state this gateway does not know yet. */
  | 'OTHER';

/** Machine-readable code in `extensions.code` of every error the gateway itself raises. */
export type ErrorCode =
  /** An argument or variable is invalid. */
  | 'BAD_USER_INPUT'
  /** Cobalt rejected the gateway's API key (401/403): the key is wrong or for another environment. An operator must fix it. */
  | 'COBALT_AUTH_FAILED'
  /** Cobalt answered 2xx without JSON or not in its documented shape (e.g. without a usable token). */
  | 'COBALT_BAD_RESPONSE'
  /** Cobalt answered 429. `retryAfterSeconds` is set when Cobalt said how long to wait. */
  | 'COBALT_RATE_LIMITED'
  /** Cobalt timed out, refused the connection or answered 5xx. */
  | 'COBALT_UNAVAILABLE'
  /** Cobalt knows no application with this slug for your organisation (Cobalt answered 404). */
  | 'INTEGRATION_NOT_FOUND'
  /** Something unexpected failed. Quote `requestId` to the operators; the details are in their logs. */
  | 'INTERNAL_SERVER_ERROR'
  /** Cobalt knows no linked account for the signed-in user (Cobalt answers 400 or 500 for this). Provision it first. */
  | 'LINKED_ACCOUNT_NOT_FOUND'
  /** This gateway instance is shedding load (HTTP 503 with `Retry-After`); the request was not run. `retryAfterSeconds` says how long to wait. */
  | 'OVERLOADED'
  /** The document id (`documentId` or `extensions.persistedQuery.sha256Hash`) is not in the trusted documents manifest. */
  | 'PERSISTED_QUERY_NOT_FOUND'
  /** The gateway limited this user or client. `retryAfterSeconds` says how long to wait. */
  | 'RATE_LIMITED'
  /** A full document was sent to a gateway with `TRUSTED_DOCUMENTS=require`. Send its manifest id. */
  | 'TRUSTED_DOCUMENT_REQUIRED'
  /** The request has no bearer token, or it is invalid or expired. Sign in again. */
  | 'UNAUTHENTICATED';

/** How the user authenticates to the application. */
export type IntegrationAuthType =
  /** The user enters an API key or credentials. */
  | 'KEY_BASED'
  /** OAuth 2: the user signs in at the application's site. */
  | 'OAUTH2'
  /** A method this gateway does not know yet. */
  | 'OTHER';
