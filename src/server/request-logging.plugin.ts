import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../auth/context';
import type { Logger } from '../observability/logger';
import type { GatewayMetrics } from '../observability/metrics';

// An operation slower than this is logged at info even when it succeeded.
export const SLOW_REQUEST_MS = 1000;

/** What one answered GraphQL operation reports, whichever path (Apollo or a trusted document's) ran it. */
export interface AnsweredOperation {
  /** The name the client sent, if any. */
  readonly operationName: string | undefined;
  readonly operation: OperationDefinitionNode | undefined;
  /** The `extensions.code` of each error answered, in order. */
  readonly codes: readonly unknown[] | undefined;
  /** `performance.now()` when the operation's handling started. */
  readonly startedAt: number;
}

/**
 * One metric sample per GraphQL operation (root field, duration, outcome), and one log line: at
 * info for an operation that answered with errors or took at least SLOW_REQUEST_MS, at debug for the
 * rest. A line per successful mint was about a tenth of a cached mint's CPU (serialising, redacting,
 * writing), and the metrics already count and time every operation; LOG_LEVEL=debug brings the
 * lines back. Every line written carries the request id (the logger's mixin).
 */
export function createOperationRecorder(log: Logger, metrics: GatewayMetrics): (answered: AnsweredOperation) => void {
  return ({ operationName, operation, codes, startedAt }) => {
    const first = operation?.selectionSet.selections[0];
    // Schema-bounded label: the root field, never the client-chosen operation name.
    const field = first?.kind === Kind.FIELD ? first.name.value : 'none';
    const outcome = typeof codes?.[0] === 'string' ? codes[0] : 'ok';
    metrics.graphqlRequests.inc({ field, outcome });
    const durationMs = performance.now() - startedAt;
    metrics.graphqlDuration.observe({ field }, durationMs / 1000);
    const level = codes !== undefined || durationMs >= SLOW_REQUEST_MS ? 'info' : 'debug';
    if (!log.isLevelEnabled(level)) return;
    log[level](
      {
        operationName: operationName ?? null,
        durationMs: Math.round(durationMs * 10) / 10,
        ...(codes !== undefined && { errorCodes: codes }),
      },
      'graphql request',
    );
  };
}

/** The Apollo plugin that reports each operation to `createOperationRecorder`'s recorder. */
export function createRequestLoggingPlugin(
  record: (answered: AnsweredOperation) => void,
): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart() {
      const startedAt = performance.now();
      return Promise.resolve({
        willSendResponse({ request, response, operation }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const codes = result?.errors?.map((e) => e.extensions?.['code']);
          record({ operationName: request.operationName, operation, codes, startedAt });
          return Promise.resolve();
        },
      });
    },
  };
}
