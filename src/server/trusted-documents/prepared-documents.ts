import {
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { ConfigError } from '../../config/config-error';
import { DOCUMENT_LIMITS } from '../document-limits';
import type { TrustedDocuments } from './manifest';

/** A manifest document ready to execute: parsed and validated once, at start-up. */
export interface PreparedDocument {
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  /** The operation's name, which a request's `operationName` must match to take the fast path. */
  readonly operationName: string | undefined;
}

export type PreparedDocuments = ReadonlyMap<string, PreparedDocument>;

export interface PrepareOptions {
  readonly schema: GraphQLSchema;
  /** The rules Apollo adds to graphql-js's (GATEWAY_VALIDATION_RULES). */
  readonly rules: readonly ValidationRule[];
  /** As Apollo's `introspection`: when off, a document that introspects is refused like any other. */
  readonly introspection: boolean;
}

/**
 * Parses and validates every manifest document once, with the rules and limits Apollo applies to a
 * full document, so a trusted request skips both. A manifest document that would fail validation is a
 * configuration error: the frontend was built against another schema, and starting would serve
 * refusals under a trusted id. Documents with several operations are left to Apollo, which resolves
 * the one to run from the request's `operationName`.
 */
export function prepareTrustedDocuments(documents: TrustedDocuments, options: PrepareOptions): PreparedDocuments {
  const rules = [
    ...specifiedRules,
    ...options.rules,
    ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  const prepared = new Map<string, PreparedDocument>();
  const problems: string[] = [];
  for (const [hex, { text }] of documents) {
    const document = parse(text, { maxTokens: DOCUMENT_LIMITS.maxTokens });
    const errors = validate(options.schema, document, rules);
    if (errors.length > 0) {
      problems.push(
        `TRUSTED_DOCUMENTS_MANIFEST: sha256:${hex} does not validate against the schema: ${errors[0]?.message ?? ''}`,
      );
      continue;
    }
    const operation = getOperationAST(document);
    if (operation === null || operation === undefined) continue;
    prepared.set(hex, { document, operation, operationName: operation.name?.value });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return prepared;
}
