import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';

/**
 * Refuses an operation whose type the schema has no root for (today: `subscription`). graphql-js 16
 * has no validation rule for this and only fails at execution, with an untyped error that Apollo
 * answers as HTTP 200 and we would mask as INTERNAL_SERVER_ERROR and log as an error with its stack:
 * anyone could fill the error log. As a validation error it is the client's 400
 * GRAPHQL_VALIDATION_FAILED, and nothing runs.
 */
export function supportedOperationRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (context.getSchema().getRootType(node.operation) != null) return;
      context.reportError(new GraphQLError(`This API does not support ${node.operation} operations.`, { nodes: node }));
    },
  };
}
