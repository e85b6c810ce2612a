import { GraphQLError } from 'graphql';
import { type ErrorCode, errorPolicy } from './error-code';

declare module 'graphql' {
  // Typed once so every consumer of a GraphQLError sees our extensions (graphql-yoga's trick).
  interface GraphQLErrorExtensions {
    code?: string;
    retryable?: boolean;
    retryAfterSeconds?: number;
    requestId?: string;
  }
}

export interface GatewayErrorOptions {
  /** Seconds the client should wait; only for retryable codes, and only when known. */
  readonly retryAfterSeconds?: number;
  /** Internal cause, for logs only. Never serialised to a client. */
  readonly cause?: unknown;
}

/**
 * The only error class the gateway throws on purpose. Built from a code, never from a free-form
 * string, so its client-visible message always comes from the policy table.
 */
export class GatewayError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, options: GatewayErrorOptions = {}) {
    const policy = errorPolicy[code];
    super(policy.message, {
      extensions: {
        code,
        retryable: policy.retryable,
        ...(options.retryAfterSeconds !== undefined && { retryAfterSeconds: options.retryAfterSeconds }),
      },
    });
    this.name = 'GatewayError';
    this.code = code;
    if (options.cause !== undefined) {
      // Non-enumerable: JSON and most loggers skip it, so a raw upstream error cannot ride along.
      Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false });
    }
  }
}
