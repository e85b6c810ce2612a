import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../auth/context';
import type { Logger } from './logger';

/** One log line per GraphQL operation: name, duration and the error codes it answered with. */
export function createRequestLoggingPlugin(log: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart() {
      const startedAt = performance.now();
      return Promise.resolve({
        willSendResponse({ request, response }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const codes = result?.errors?.map((e) => e.extensions?.['code']);
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
