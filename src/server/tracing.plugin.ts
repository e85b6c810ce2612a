import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../auth/context';
import { activeSpan, markFailed, type Span } from '../observability/tracing';

/** Names the operation span after the operation (shared with the trusted-documents fast path). */
export function describeOperationSpan(
  span: Span,
  operation: OperationDefinitionNode,
  operationName: string | null | undefined,
): void {
  const first = operation.selectionSet.selections[0];
  const field = first?.kind === Kind.FIELD ? first.name.value : 'none';
  span.updateName(`${operation.operation} ${field}`);
  span.setAttributes({ 'graphql.operation.type': operation.operation, 'graphql.root_field': field });
  if (typeof operationName === 'string') span.setAttribute('graphql.operation.name', operationName);
}

/** Marks the operation span with the answer's first error code, if any. */
export function recordOperationError(span: Span, code: unknown): void {
  if (typeof code !== 'string') return;
  span.setAttribute('graphql.error.code', code);
  markFailed(span, code);
}

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
          if (operation !== undefined) describeOperationSpan(span, operation, operationName);
          return Promise.resolve();
        },
        willSendResponse({ response }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          recordOperationError(span, result?.errors?.[0]?.extensions?.['code']);
          return Promise.resolve();
        },
      });
    },
  };
}
