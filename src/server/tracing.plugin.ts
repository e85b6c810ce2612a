import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import type { GatewayContext } from '../auth/context';
import { activeSpan, markFailed } from '../observability/tracing';

/**
 * Names and describes the GraphQL operation span the HTTP server opens around Apollo: the operation's
 * type, its root field (schema-bounded, so the span name stays low-cardinality), its name, and the
 * first error code. Never variables, documents or results: they hold ids and tokens.
 */
export function createTracingPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart() {
      const span = activeSpan();
      if (span?.isRecording() !== true) return Promise.resolve();
      return Promise.resolve({
        didResolveOperation({ operation, operationName }) {
          if (operation === undefined) return Promise.resolve();
          const first = operation.selectionSet.selections[0];
          const field = first?.kind === Kind.FIELD ? first.name.value : 'none';
          span.updateName(`${operation.operation} ${field}`);
          span.setAttributes({ 'graphql.operation.type': operation.operation, 'graphql.root_field': field });
          if (operationName !== null) span.setAttribute('graphql.operation.name', operationName);
          return Promise.resolve();
        },
        willSendResponse({ response }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const code = result?.errors?.[0]?.extensions?.['code'];
          if (typeof code === 'string') {
            span.setAttribute('graphql.error.code', code);
            markFailed(span, code);
          }
          return Promise.resolve();
        },
      });
    },
  };
}
