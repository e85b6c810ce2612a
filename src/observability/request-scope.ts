import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * Carries the request id through everything a request triggers, including Apollo's `formatError`,
 * which has no access to the GraphQL context.
 */
export const requestScope = new AsyncLocalStorage<{ readonly requestId: string }>();

export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}

// Accept a caller's id only if it is short and boring: it is echoed in a header and written to logs.
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  if (typeof header === 'string' && WELL_FORMED_REQUEST_ID.test(header)) return header;
  return randomUUID();
}
