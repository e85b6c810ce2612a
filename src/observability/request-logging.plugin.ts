import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import type { GatewayContext } from '../auth/context';
import type { Logger } from './logger';
import type { GatewayMetrics } from './metrics';

/**
 * One log line and one metric sample per GraphQL operation: its root field, duration and the
 * error codes it answered with.
 */
export function createRequestLoggingPlugin(log: Logger, metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart() {
      const startedAt = performance.now();
      return Promise.resolve({
        willSendResponse({ request, response, operation }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const codes = result?.errors?.map((e) => e.extensions?.['code']);
          const first = operation?.selectionSet.selections[0];
          // Schema-bounded label: the root field, never the client-chosen operation name.
          const field = first?.kind === Kind.FIELD ? first.name.value : 'none';
          const outcome = typeof codes?.[0] === 'string' ? codes[0] : 'ok';
          metrics.graphqlRequests.inc({ field, outcome });
          metrics.graphqlDuration.observe({ field }, (performance.now() - startedAt) / 1000);
          log.info(
            {
              operationName: request.operationName ?? null,
              durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
              ...(codes !== undefined && { errorCodes: codes }),
            },
            'graphql request',
          );
          return Promise.resolve();
        },
      });
    },
  };
}
