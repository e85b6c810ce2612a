import type { Logger } from '../observability/logger';
import { inSpan } from '../observability/tracing';
import type { AuthFailureReason, JwtVerifier } from './jwt-verifier';
import type { Viewer } from './viewer';

/** What every resolver receives. Built once per request by `createContextFunction`. */
export interface GatewayContext {
  readonly requestId: string;
  /** Null for anonymous requests and for refused tokens; protected fields then answer UNAUTHENTICATED. */
  readonly viewer: Viewer | null;
  /** Set when a bearer token was sent but refused. */
  readonly authFailure: AuthFailureReason | null;
  /** The caller's address, after TRUST_PROXY (for per-IP rate limits). */
  readonly clientIp: string;
  readonly log: Logger;
}

export interface ContextInput {
  readonly requestId: string;
  readonly authorization: string | undefined;
  readonly clientIp: string;
}

/**
 * Turns an HTTP request's credentials into a `GatewayContext`. A refused token does not fail the
 * request: public fields (`__typename`) still run, and the refusal surfaces where a viewer is needed.
 */
export function createContextFunction(deps: { verifier: JwtVerifier; log: Logger }) {
  // No child logger per request: the logger's mixin already stamps every line with the request id,
  // and a pino child costs an allocation and a bindings copy on every request, cache hits included.
  const log = deps.log;
  return async ({ requestId, authorization, clientIp }: ContextInput): Promise<GatewayContext> => {
    if (authorization === undefined || authorization === '') {
      return { requestId, viewer: null, authFailure: null, clientIp, log };
    }
    const result = await inSpan('jwt.verify', {}, async (span) => {
      const verified = await deps.verifier.verify(authorization);
      if (span.isRecording()) span.setAttribute('auth.result', verified.ok ? 'ok' : verified.reason);
      return verified;
    });
    if (result.ok) return { requestId, viewer: result.viewer, authFailure: null, clientIp, log };
    log.info({ authFailure: result.reason }, 'bearer token refused');
    return { requestId, viewer: null, authFailure: result.reason, clientIp, log };
  };
}
