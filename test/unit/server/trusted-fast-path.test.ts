import { createHash } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import { describe, expect, it } from '@jest/globals';
import { buildSchema } from 'graphql';
import type { ContextInput, GatewayContext } from '../../../src/auth/context';
import { createFormatError } from '../../../src/errors/format-error';
import { GatewayError } from '../../../src/errors/gateway-error';
import { ErrorCode } from '../../../src/errors/error-code';
import { createApolloServer, GATEWAY_VALIDATION_RULES, gatewayFormatError } from '../../../src/server/apollo-server';
import { createTrustedFastPath } from '../../../src/server/trusted-documents/fast-path';
import { prepareTrustedDocuments } from '../../../src/server/trusted-documents/prepared-documents';
import { captureLogs } from '../../support/capture-logger';

// What an integration test cannot provoke on the real gateway: a context function that throws, and a
// resolver error carrying an HTTP status. Both paths run in-process on one small schema.
const schema = buildSchema('type Query { ok: String, teapot: String, refused: String }');
const resolvers: Record<string, () => unknown> = {
  ok: () => 'yes',
  teapot: () => {
    throw Object.assign(new Error('short and stout'), { extensions: { http: { status: 418 } } });
  },
  refused: () => {
    throw new GatewayError(ErrorCode.RATE_LIMITED, { retryAfterSeconds: 7 });
  },
};
const queryType = schema.getQueryType();
for (const [name, resolve] of Object.entries(resolvers)) {
  const field = queryType?.getFields()[name];
  if (field !== undefined) field.resolve = resolve;
}

const TEXT = 'query Q { ok teapot refused }';
const HEX = createHash('sha256').update(TEXT).digest('hex');
const formatError = createFormatError({ getRequestId: () => 'req-1', onMasked: () => undefined });

function paths(createContext: (input: ContextInput) => Promise<GatewayContext>) {
  const documents = prepareTrustedDocuments(new Map([[HEX, { text: TEXT, readOnly: true }]]), {
    schema,
    rules: GATEWAY_VALIDATION_RULES,
    introspection: false,
  });
  const fast = createTrustedFastPath({
    schema,
    documents,
    createContext,
    formatError: gatewayFormatError(formatError),
    record: () => undefined,
  });
  const apollo = createApolloServer({ schema, introspection: false, formatError, plugins: [] });
  return { fast, apollo };
}

async function both(createContext: (input: ContextInput) => Promise<GatewayContext>) {
  const { fast, apollo } = paths(createContext);
  await apollo.start();
  const input = { requestId: 'req-1', authorization: undefined, clientIp: '127.0.0.1' };
  const fastAnswer = await fast.answer({ body: { documentId: `sha256:${HEX}` }, accept: undefined, context: input });
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: 'POST',
      headers: new HeaderMap([['content-type', 'application/json']]),
      search: '',
      body: { query: TEXT },
    },
    context: () => createContext(input),
  });
  await apollo.stop();
  return {
    fast: fastAnswer,
    apollo: {
      status: result.status ?? 200,
      contentType: result.headers.get('content-type'),
      body: result.body.kind === 'complete' ? result.body.string : '',
    },
  };
}

describe('the trusted-documents fast path, in-process against Apollo', () => {
  const { log } = captureLogs('info');
  const context = (input: ContextInput): Promise<GatewayContext> =>
    Promise.resolve({ requestId: input.requestId, viewer: null, authFailure: null, clientIp: input.clientIp, log });

  it('answers resolver errors (an HTTP status among them, a GatewayError) as Apollo does', async () => {
    const { fast, apollo } = await both(context);

    expect(fast).toEqual(apollo);
    expect(fast?.status).toBe(418);
    expect(fast?.body).toContain('"retryAfterSeconds":7');
  });

  it.each([
    ['an Error', new Error('verifier exploded')],
    ['a GraphQLError', new GatewayError(ErrorCode.UNAUTHENTICATED)],
    ['a non-Error', 'a string'],
  ])('answers a context function that throws %s as Apollo does', async (_kind, thrown) => {
    const { fast, apollo } = await both(() =>
      // A non-Error on purpose: Apollo words that case differently.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      Promise.reject(thrown),
    );

    expect(fast).toEqual(apollo);
    expect(fast?.status).toBe(500);
  });

  it('prepares only documents with one operation', () => {
    const text = 'query A { ok } query B { ok }';
    const hex = createHash('sha256').update(text).digest('hex');
    const prepared = prepareTrustedDocuments(new Map([[hex, { text, readOnly: true }]]), {
      schema,
      rules: GATEWAY_VALIDATION_RULES,
      introspection: false,
    });

    expect(prepared.size).toBe(0);
  });
});
