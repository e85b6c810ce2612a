import {
  GraphQLError,
  Kind,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ASTVisitor,
} from 'graphql';

/**
 * How large a GraphQL document `/graphql` accepts. Sized for this schema: its deepest real selection
 * is three levels (`integrations { connectedAccounts { identifier } }`) and a frontend operation is a
 * few dozen tokens, so every limit leaves several times that as headroom while keeping an attacker's
 * document small. The values are never put in a client-visible message (GraphQL Armor's default
 * `exposeLimits: true` does, e.g. "Aliases limit of 15 exceeded"): a client learns which limit it hit, not
 * where it is.
 */
export const DOCUMENT_LIMITS = {
  /**
   * Lexical tokens in the document (graphql-js `parse` `maxTokens`; comments do not count, the body
   * limit bounds them). GraphiQL's introspection query is about 190 tokens; graphql-cop's 500 duplicated
   * fields need about 510. Parsing stops at the limit, so no later step sees an oversized document.
   */
  maxTokens: 1000,
  /**
   * Nested field levels (`{ viewer { linkedAccountId } }` is 2). The schema's deepest path is 3; a
   * cyclic type added later would otherwise let depth grow with the document.
   */
  maxDepth: 6,
  /**
   * Aliased fields per operation, fragments expanded, `__typename` included (Armor exempts it by
   * default, which leaves graphql-cop's alias check flagged). Aliases are how one request fans out
   * into many resolver calls; the mutation rule separately allows one Cobalt-calling field.
   */
  maxAliases: 15,
  /**
   * Directives per operation, fragments expanded. A frontend uses a few `@include`/`@skip`; graphql-cop
   * sends ten copies of an unknown one, which graphql-js would answer with ten errors.
   */
  maxDirectives: 5,
  /**
   * Estimated resolver work: 2 per object field, 1 per leaf, a list field's selections counted
   * `listItemsAssumed` times. The integrations query (a list of integrations, each with a list of
   * connected accounts) costs about 380, plus a few for `viewer` and a mint.
   */
  maxCost: 500,
  listItemsAssumed: 10,
  /**
   * Selections with fragments expanded, introspection included: what Apollo's `maxRecursiveSelections`
   * bounds (fragment "billion laughs" documents). GraphiQL's full introspection query makes 240; 500
   * duplicated `__typename`s (graphql-cop's field-duplication check) are refused. Apollo's option is not
   * used because it moves every custom rule into a second validation pass that only runs on otherwise
   * valid documents, so a limit could no longer replace graphql-js's one-error-per-offence reports (ten
   * unknown directives, ten errors).
   */
  maxRecursiveSelections: 400,
} as const;

export type DocumentLimitKind = 'depth' | 'aliases' | 'directives' | 'cost' | 'selections';

/** Generic on purpose: which limit, never its value or how far the document went past it. */
const LIMIT_MESSAGES: { readonly [K in DocumentLimitKind]: string } = {
  depth: 'The operation is nested too deeply.',
  aliases: 'The operation uses too many aliases.',
  directives: 'The operation uses too many directives.',
  cost: 'The operation is too complex.',
  selections: 'The operation is too complex.',
};

export const TOKEN_LIMIT_MESSAGE = 'Syntax Error: The document is too large.';
// graphql-js 16: "Syntax Error: Document contains more that N tokens. Parsing aborted." ("that" sic).
const TOKEN_LIMIT_TEXT = /^Syntax Error: Document contains more th[ae][nt] \d+ tokens/;

interface Measure {
  depth: number;
  aliases: number;
  directives: number;
  cost: number;
  selections: number;
}

const ZERO: Readonly<Measure> = { depth: 0, aliases: 0, directives: 0, cost: 0, selections: 0 };
const OBJECT_COST = 2;
const LEAF_COST = 1;

function isListField(type: GraphQLOutputType): boolean {
  const inner = isNonNullType(type) ? type.ofType : type;
  return isListType(inner);
}

/**
 * Measures every operation of a document without trusting it: unknown fields and types count as
 * leaves/objects by their shape, and fragment cycles contribute nothing (graphql-js's own
 * NoFragmentCycles rule reports them). Fragments are measured once each, so a document whose
 * fragments double at every level is measured in linear time while its counts grow as executed.
 */
export function measureDocument(schema: GraphQLSchema, document: DocumentNode): Measure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measured = new Map<string, Measure | 'in-progress'>();

  function fragmentMeasure(name: string): Measure {
    const known = measured.get(name);
    if (known === 'in-progress') return ZERO;
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (fragment === undefined) return ZERO;
    measured.set(name, 'in-progress');
    const result = selectionSetMeasure(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value));
    result.directives += fragment.directives?.length ?? 0;
    measured.set(name, result);
    return result;
  }

  function selectionSetMeasure(selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined): Measure {
    const total: Measure = { ...ZERO };
    const add = (inner: Measure) => {
      total.depth = Math.max(total.depth, inner.depth);
      total.aliases += inner.aliases;
      total.directives += inner.directives;
      total.cost += inner.cost;
      total.selections += inner.selections;
    };
    for (const selection of selectionSet.selections) {
      total.selections += 1;
      total.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        add(fragmentMeasure(selection.name.value));
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value;
        add(
          selectionSetMeasure(selection.selectionSet, condition === undefined ? parentType : schema.getType(condition)),
        );
        continue;
      }
      if (selection.alias !== undefined) total.aliases += 1;
      const name = selection.name.value;
      // Introspection is refused in production (NoIntrospection) and GraphiQL's own query is deep by
      // nature (`ofType` seven levels down); only its selections count, against the recursive bound.
      const introspection = name === '__schema' || name === '__type';
      const field =
        parentType !== undefined && (isObjectType(parentType) || isInterfaceType(parentType))
          ? parentType.getFields()[name]
          : undefined;
      const child =
        selection.selectionSet === undefined
          ? ZERO
          : selectionSetMeasure(selection.selectionSet, field === undefined ? undefined : getNamedType(field.type));
      const items = field !== undefined && isListField(field.type) ? DOCUMENT_LIMITS.listItemsAssumed : 1;
      total.aliases += child.aliases;
      total.directives += child.directives;
      total.selections += child.selections;
      if (introspection) continue;
      total.depth = Math.max(total.depth, 1 + child.depth);
      total.cost += (selection.selectionSet === undefined ? LEAF_COST : OBJECT_COST) + items * child.cost;
    }
    return total;
  }

  const worst: Measure = { ...ZERO };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const operation = selectionSetMeasure(
      definition.selectionSet,
      schema.getRootType(definition.operation) ?? undefined,
    );
    const directives =
      operation.directives +
      (definition.directives?.length ?? 0) +
      (definition.variableDefinitions ?? []).reduce((sum, v) => sum + (v.directives?.length ?? 0), 0);
    worst.depth = Math.max(worst.depth, operation.depth);
    worst.aliases = Math.max(worst.aliases, operation.aliases);
    worst.directives = Math.max(worst.directives, directives);
    worst.cost = Math.max(worst.cost, operation.cost);
    worst.selections = Math.max(worst.selections, operation.selections);
  }
  return worst;
}

/** The first limit the measure goes past, in the order a client can most easily act on. */
export function exceededLimit(measure: Measure): DocumentLimitKind | undefined {
  if (measure.depth > DOCUMENT_LIMITS.maxDepth) return 'depth';
  if (measure.aliases > DOCUMENT_LIMITS.maxAliases) return 'aliases';
  if (measure.directives > DOCUMENT_LIMITS.maxDirectives) return 'directives';
  if (measure.selections > DOCUMENT_LIMITS.maxRecursiveSelections) return 'selections';
  if (measure.cost > DOCUMENT_LIMITS.maxCost) return 'cost';
  return undefined;
}

/**
 * Validation rule: refuses a document over any limit with exactly one error. It measures the whole
 * document when validation starts, before any rule visits a node; on a refusal it reports its error
 * and silences the rest of this validation run, so an oversized document cannot make graphql-js build
 * one error per offending node (graphql-cop's ten duplicated unknown directives would give ten). Every
 * graphql-js rule reports through `context.reportError`, and the context lives for one `validate` call.
 * Must be the first custom rule; Apollo answers 400 GRAPHQL_VALIDATION_FAILED and nothing executes.
 */
export function documentLimitsRule(context: ValidationContext): ASTVisitor {
  const exceeded = exceededLimit(measureDocument(context.getSchema(), context.getDocument()));
  if (exceeded !== undefined) {
    context.reportError(new GraphQLError(LIMIT_MESSAGES[exceeded]));
    context.reportError = () => undefined;
  }
  return {};
}

/**
 * graphql-js's token-limit parse error names the limit; give the client the generic text instead
 * (still GRAPHQL_PARSE_FAILED, 400). Other errors pass unchanged.
 */
export function hideTokenLimit(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!TOKEN_LIMIT_TEXT.test(formatted.message)) return formatted;
  return {
    message: TOKEN_LIMIT_MESSAGE,
    ...(formatted.extensions !== undefined && { extensions: formatted.extensions }),
  };
}
