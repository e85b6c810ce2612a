import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  type ASTVisitor,
  type SelectionNode,
  type ValidationContext,
} from 'graphql';

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
 * make 200 Cobalt calls, and an alias limit (GraphQL Armor's default is 15) still lets 15 through;
 * here the whole operation fails validation and nothing runs.
 */
export function singleMintPerOperationRule(context: ValidationContext): ASTVisitor {
  // Each fragment is counted once and its counts reused: walking spreads again at every use makes a
  // few hundred bytes of nested fragments cost minutes of CPU (each level multiplies the walk).
  const fragmentCounts = new Map<string, ReadonlyMap<string, number>>();
  const inProgress = new Set<string>();

  const countsOf = (selections: readonly SelectionNode[]): ReadonlyMap<string, number> => {
    const counts = new Map<string, number>();
    const add = (name: string, n: number) => counts.set(name, Math.min(2, (counts.get(name) ?? 0) + n));
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) {
        if (GUARDED_FIELDS.has(selection.name.value)) add(selection.name.value, 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        for (const [name, n] of countsOf(selection.selectionSet.selections)) add(name, n);
      } else {
        for (const [name, n] of fragmentCountsOf(selection.name.value)) add(name, n);
      }
    }
    return counts;
  };
  const fragmentCountsOf = (name: string): ReadonlyMap<string, number> => {
    const known = fragmentCounts.get(name);
    if (known !== undefined) return known;
    const fragment = context.getFragment(name);
    // Unknown fragments and cycles are other rules' errors; they add nothing here.
    if (fragment === undefined || fragment === null || inProgress.has(name)) return new Map();
    inProgress.add(name);
    const counts = countsOf(fragment.selectionSet.selections);
    inProgress.delete(name);
    fragmentCounts.set(name, counts);
    return counts;
  };

  return {
    OperationDefinition(operation) {
      if (operation.operation !== OperationTypeNode.MUTATION) return;
      // Mutation root fields may also come through fragments on Mutation; those count too.
      for (const [name, count] of countsOf(operation.selectionSet.selections)) {
        if (count > 1) {
          context.reportError(
            new GraphQLError(`"${name}" may be selected at most once per operation.`, { nodes: operation }),
          );
        }
      }
    },
  };
}
