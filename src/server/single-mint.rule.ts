import { GraphQLError, Kind, OperationTypeNode, type ASTVisitor, type ValidationContext } from 'graphql';

/** Root fields that reach Cobalt: at most one of each per operation. */
const GUARDED_FIELDS: ReadonlySet<string> = new Set([
  'createSessionToken',
  'revokeSessionToken',
  'upsertLinkedAccount',
  'createConnectUrl',
]);

/**
 * Refuses an operation that selects a Cobalt-calling mutation more than once (e.g. through
 * aliases: `a: createSessionToken b: createSessionToken …`). On a default Apollo server 200 aliases
 * make 200 Cobalt calls (RELIABILITY.md §0.5); here the whole operation fails validation and
 * nothing runs.
 */
export function singleMintPerOperationRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(operation) {
      if (operation.operation !== OperationTypeNode.MUTATION) return;
      const seen = new Map<string, number>();
      // Mutation root fields may also come through fragments on Mutation; count those too.
      const visit = (selections: typeof operation.selectionSet.selections, depth: number): void => {
        if (depth > 10) return;
        for (const selection of selections) {
          if (selection.kind === Kind.FIELD) {
            const name = selection.name.value;
            if (GUARDED_FIELDS.has(name)) seen.set(name, (seen.get(name) ?? 0) + 1);
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            visit(selection.selectionSet.selections, depth + 1);
          } else {
            const fragment = context.getFragment(selection.name.value);
            if (fragment !== undefined && fragment !== null) visit(fragment.selectionSet.selections, depth + 1);
          }
        }
      };
      visit(operation.selectionSet.selections, 0);
      for (const [name, count] of seen) {
        if (count > 1) {
          context.reportError(
            new GraphQLError(`"${name}" may be selected at most once per operation.`, { nodes: operation }),
          );
        }
      }
    },
  };
}
