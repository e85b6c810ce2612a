import type { CobaltErrorBody } from './cobalt.wire';

/**
 * Everything that can go wrong talking to Cobalt, as plain data. The data source produces these
 * instead of letting axios errors (which carry the API key) travel; `toGatewayError` maps them.
 */
export type CobaltFailure =
  | {
      readonly kind: 'http';
      readonly status: number;
      readonly body: CobaltErrorBody | undefined;
      readonly retryAfterSeconds: number | undefined;
      /** What the request's path named (`/application/{slug}`), so a 404 can mean "no such thing". */
      readonly resource?: 'application';
    }
  | {
      readonly kind: 'timeout';
      /**
       * How long the attempt's timer fired late: time our own event loop was busy, not Cobalt. An
       * attempt that spent most of its time this way measured our queue, and is not retried.
       */
      readonly localDelayMs?: number;
    }
  | { readonly kind: 'network'; readonly errno: string }
  | { readonly kind: 'invalid-response'; readonly reason: string };

/** Thrown inside the data source only; carries the failure, never the request config. */
export class CobaltFailureError extends Error {
  constructor(readonly failure: CobaltFailure) {
    super(`Cobalt call failed: ${describeFailure(failure)}`);
    this.name = 'CobaltFailureError';
  }
}

export function describeFailure(failure: CobaltFailure): string {
  switch (failure.kind) {
    case 'http':
      return `HTTP ${failure.status}${failure.body?.errorCode !== undefined ? ` ${failure.body.errorCode}` : ''}`;
    case 'timeout':
      return 'timeout';
    case 'network':
      return `network ${failure.errno}`;
    case 'invalid-response':
      return `invalid response (${failure.reason})`;
  }
}
