import { execute, GraphQLError, Kind, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { ContextInput, GatewayContext } from '../../auth/context';
import type { FormatError } from '../apollo-server';
import type { AnsweredOperation } from '../request-logging.plugin';
import type { PreparedDocument, PreparedDocuments } from './prepared-documents';
import { idOf, isRecord } from './trusted-request';

export interface FastPathDeps {
  readonly schema: GraphQLSchema;
  readonly documents: PreparedDocuments;
  /** The same context function Apollo is handed (bearer verification, request id, client IP). */
  readonly createContext: (input: ContextInput) => Promise<GatewayContext>;
  /** The same function Apollo formats every error with (`gatewayFormatError`). */
  readonly formatError: FormatError;
  /** The same recorder the Apollo request-logging plugin reports to (metrics and the log line). */
  readonly record: (answered: AnsweredOperation) => void;
}

export interface TrustedCall {
  /** The POST body, parsed as JSON. */
  readonly body: unknown;
  readonly accept: string | undefined;
  readonly context: ContextInput;
}

export interface TrustedAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface TrustedFastPath {
  /** The answer to a POST of a known trusted document, or undefined when Apollo is to handle the request. */
  answer(call: TrustedCall): Promise<TrustedAnswer> | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';

/**
 * The content type Apollo negotiates for the `Accept` values real clients send (none, Apollo Client's,
 * fetch's, axios's). Any other value goes to Apollo, which negotiates it (or answers 406); the
 * equivalence test checks every row here against Apollo.
 */
export const KNOWN_ACCEPT: ReadonlyMap<string | undefined, string> = new Map([
  [undefined, JSON_TYPE],
  ['*/*', JSON_TYPE],
  ['application/json', JSON_TYPE],
  ['application/json, text/plain, */*', JSON_TYPE],
  ['application/graphql-response+json', GRAPHQL_RESPONSE_TYPE],
  ['application/graphql-response+json,application/json;q=0.9', GRAPHQL_RESPONSE_TYPE],
  ['application/graphql-response+json, application/json;q=0.9', GRAPHQL_RESPONSE_TYPE],
]);

// A request with any other field (a `query` beside the id, anything unknown) goes to Apollo.
const FIELDS: ReadonlySet<string> = new Set(['documentId', 'extensions', 'variables', 'operationName']);

interface Eligible {
  readonly prepared: PreparedDocument;
  readonly variables: Record<string, unknown> | undefined;
  readonly operationName: string | undefined;
  readonly contentType: string;
}

function eligible(documents: PreparedDocuments, call: TrustedCall): Eligible | undefined {
  const { body } = call;
  if (!isRecord(body)) return undefined;
  for (const key in body) if (!FIELDS.has(key)) return undefined;
  const { documentId, extensions, variables, operationName } = body;
  if (extensions !== undefined && extensions !== null) {
    if (!isRecord(extensions)) return undefined;
    for (const key in extensions) if (key !== 'persistedQuery') return undefined;
  }
  const id = idOf(documentId, extensions);
  const prepared = id.kind === 'id' ? documents.get(id.hex) : undefined;
  if (prepared === undefined) return undefined;
  if (variables !== undefined && variables !== null && !isRecord(variables)) return undefined;
  if (operationName !== undefined && operationName !== null && operationName !== prepared.operationName) {
    return undefined;
  }
  const contentType = KNOWN_ACCEPT.get(call.accept);
  if (contentType === undefined) return undefined;
  return {
    prepared,
    variables: isRecord(variables) ? variables : undefined,
    operationName: typeof operationName === 'string' ? operationName : undefined,
    contentType,
  };
}

/** Apollo's test for a variable coercion error, which it answers as BAD_USER_INPUT (requestPipeline). */
function isBadUserInput(error: GraphQLError): boolean {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION || error.extensions.code != null) return false;
  const variable = `Variable "$${node.variable.name.value}"`;
  return [' has invalid value', ' got invalid value ', ' of required type ', ' of non-null type '].some((rest) =>
    error.message.startsWith(variable + rest),
  );
}

function asUserInputError(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    ...(error.nodes !== undefined && { nodes: error.nodes }),
    originalError: error.originalError ?? error,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
  });
}

/** Apollo's `ensureGraphQLError(ensureError(thrown), 'Context creation failed: ')`. */
function contextFailure(thrown: unknown): GraphQLError {
  if (thrown instanceof GraphQLError) return thrown;
  if (!(thrown instanceof Error)) return new GraphQLError(`Unexpected error value: ${String(thrown)}`);
  return new GraphQLError(`Context creation failed: ${thrown.message}`, { originalError: thrown });
}

/**
 * Apollo's error normalisation (`normalizeAndFormatErrors`): a code on every error, an `http` extension
 * lifted into the answer's status, then the shared formatError; a formatter that throws gives
 * Apollo's generic error.
 */
function formatErrors(errors: readonly GraphQLError[], formatError: FormatError) {
  let status: number | undefined;
  const formatted = errors.map((error): GraphQLFormattedError => {
    try {
      const extensions: Record<string, unknown> = {
        ...error.extensions,
        code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR',
      };
      const http = extensions['http'];
      if (isRecord(http)) {
        if (typeof http['status'] === 'number') status = http['status'];
        delete extensions['http'];
      }
      return formatError({ ...error.toJSON(), extensions }, error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  });
  return { formatted, status };
}

/**
 * Answers a POST of a known trusted document without Apollo's request pipeline: the document was
 * parsed and validated at start-up, so what is left per request is what Apollo would do after
 * validation, done with the same pieces: the context function, graphql-js `execute` on the schema's
 * resolvers, Apollo's error normalisation with our formatError, its status rules (400 when a variable
 * did not coerce and nothing ran), its content-type negotiation and its JSON layout, and the same
 * metrics and log line. Anything unusual about a request makes `answer` return undefined, and the
 * request takes Apollo's path: the fast path never has to reproduce Apollo's protocol errors.
 */
export function createTrustedFastPath(deps: FastPathDeps): TrustedFastPath {
  async function run(request: Eligible, input: ContextInput): Promise<TrustedAnswer> {
    let contextValue: GatewayContext;
    try {
      contextValue = await deps.createContext(input);
    } catch (thrown) {
      // Apollo's answer when its context function throws: the error formatted (so masked), HTTP 500.
      const formatted = formatErrors([contextFailure(thrown)], deps.formatError);
      const body = `${JSON.stringify({ errors: formatted.formatted })}\n`;
      return { status: formatted.status ?? 500, contentType: request.contentType, body };
    }
    const startedAt = performance.now();
    const result = await execute({
      schema: deps.schema,
      document: request.prepared.document,
      contextValue,
      variableValues: request.variables,
      operationName: request.operationName,
    });
    let status = 200;
    let errors: GraphQLFormattedError[] | undefined;
    if (result.errors !== undefined) {
      const normalized = result.errors.map((error) => (isBadUserInput(error) ? asUserInputError(error) : error));
      const formatted = formatErrors(normalized, deps.formatError);
      errors = formatted.formatted;
      status = formatted.status ?? (result.data === undefined ? 400 : 200);
    }
    deps.record({
      operationName: request.operationName,
      operation: request.prepared.operation,
      codes: errors?.map((error) => error.extensions?.['code']),
      startedAt,
    });
    // Apollo's field order and its `prettyJSONStringify` (a trailing newline).
    const body = `${JSON.stringify({ errors, data: result.data, extensions: result.extensions })}\n`;
    return { status, contentType: request.contentType, body };
  }

  return {
    answer(call) {
      const request = eligible(deps.documents, call);
      return request === undefined ? undefined : run(request, call.context);
    },
  };
}
