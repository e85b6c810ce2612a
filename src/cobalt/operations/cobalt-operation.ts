import type { z } from 'zod';
import { parseRetryAfter } from '../cobalt-error-mapper';
import { CobaltFailureError } from '../cobalt-failure';
import type { CobaltRequest, CobaltResponse } from '../cobalt-transport';
import { parseErrorBody } from '../cobalt.wire';

/** One call to one Cobalt route: what to send, and how to read what comes back. */
export interface CobaltOperation<T> {
  /** Names the call in log lines and metrics. */
  readonly name: string;
  readonly request: CobaltRequest;
  /** The domain value in Cobalt's answer; throws `CobaltFailureError` for an answer the route does not accept. */
  read(response: CobaltResponse): T;
}

/**
 * Throws the failure a non-2xx answer is. `resource`: what the request's path names, so that a 404
 * can be read as "that does not exist".
 */
export function expectOk(response: CobaltResponse, resource?: 'application'): void {
  if (response.status >= 200 && response.status < 300) return;
  throw new CobaltFailureError({
    kind: 'http',
    status: response.status,
    body: parseErrorBody(response.body),
    retryAfterSeconds: parseRetryAfter(response.retryAfter, response.receivedAt),
    ...(resource !== undefined && { resource }),
  });
}

/** Parses a 2xx body with a wire schema; anything else is Cobalt breaking its contract. */
export function readBody<T>(response: CobaltResponse, schema: z.ZodType<T>, reason: string): T {
  expectOk(response);
  const json = parseJsonOrUndefined(response.body);
  if (json === undefined) throw new CobaltFailureError({ kind: 'invalid-response', reason: 'body is not JSON' });
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new CobaltFailureError({ kind: 'invalid-response', reason });
  return parsed.data;
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
