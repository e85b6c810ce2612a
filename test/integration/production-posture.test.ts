import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postJson } from '../support/graphql-request';
import { signTestJwt } from '../support/jwt';
import { MINT_QUERY } from '../support/operations';
import { RESPONSE_LEAK } from '../support/surface-leaks';
import { freshAccount, startTestGateway, type TestGateway } from '../support/test-gateway';

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  readonly body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | undefined;
}

async function ask(url: string, init: RequestInit): Promise<Answer> {
  return answerOf(await fetch(url, init));
}

async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, body };
}

const postAnswer = async (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  answerOf(await postJson(url, payload, headers));

/**
 * Apollo Server derives introspection, stack traces and its landing page from NODE_ENV by default.
 * The gateway sets each of them explicitly, so the process's own NODE_ENV must not matter: every
 * gateway here is built while process.env.NODE_ENV says "development".
 */
async function startWithProcessEnvDevelopment(configNodeEnv: 'production' | 'development'): Promise<TestGateway> {
  const before = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'development';
  try {
    return await startTestGateway({ env: { NODE_ENV: configNodeEnv } });
  } finally {
    process.env['NODE_ENV'] = before;
  }
}

describe.each(['production', 'development'] as const)('with NODE_ENV=%s in the config', (nodeEnv) => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startWithProcessEnvDevelopment(nodeEnv);
  });
  afterAll(async () => {
    await gw.stop();
  });

  it('gives no "Did you mean" hint for a misspelt field', async () => {
    const res = await postAnswer(gw.url, { query: '{ viewe { linkedAccountId } }' });

    expect(res.status).toBe(400);
    expect(res.body?.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.text).not.toMatch(/Did you mean/);
  });

  it('sends no stack trace for a syntax error, a validation error or an upstream failure', async () => {
    gw.emulator.addFault({ type: 'reset' });
    const bearer = await signTestJwt({ sub: freshAccount(gw.emulator) });

    const answers = [
      await postAnswer(gw.url, { query: 'qwerty cop { abc }' }),
      await postAnswer(gw.url, { query: '{ nope }' }),
      await postAnswer(gw.url, { query: MINT_QUERY }, { authorization: `Bearer ${bearer}` }),
    ];
    gw.emulator.reset();

    expect(answers.map((a) => a.body?.errors?.[0]?.extensions?.['code'])).toEqual([
      'GRAPHQL_PARSE_FAILED',
      'GRAPHQL_VALIDATION_FAILED',
      'COBALT_UNAVAILABLE',
    ]);
    expect(answers.filter((a) => RESPONSE_LEAK.test(a.text)).map((a) => a.text)).toEqual([]);
  });

  it('keeps CSRF prevention on: a GET or a simple-content-type POST without a preflight header runs nothing', async () => {
    const get = await ask(`${gw.url}?query=${encodeURIComponent('{ __typename }')}`, { method: 'GET' });
    const textPlain = await ask(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    const withPreflight = await ask(`${gw.url}?query=${encodeURIComponent('{ __typename }')}`, {
      method: 'GET',
      headers: { 'apollo-require-preflight': 'true' },
    });

    expect([get.status, textPlain.status]).toEqual([400, 400]);
    expect(get.body?.data).toBeUndefined();
    expect(textPlain.body?.data).toBeUndefined();
    expect(withPreflight.body?.data).toEqual({ __typename: 'Query' });
  });

  it.each([
    ['a hash that does not match the query', { version: 1, sha256Hash: 'ab'.repeat(32) }],
    ['an unsupported version', { version: 2, sha256Hash: 'ab'.repeat(32) }],
  ])(
    'runs a full document sent with a persisted query (%s) as a full document, storing nothing',
    async (_label, pq) => {
      const res = await postAnswer(gw.url, { query: '{ __typename }', extensions: { persistedQuery: pq } });
      const again = await postAnswer(gw.url, { extensions: { persistedQuery: pq } });

      expect(res.body?.data).toEqual({ __typename: 'Query' });
      expect(again.body?.data).toBeUndefined();
      expect(again.body?.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    },
  );

  it('refuses a hash alone that is not a trusted document as a client error, not an internal one', async () => {
    const res = await postAnswer(gw.url, {
      extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } },
    });

    expect(res.status).toBeLessThan(500);
    expect(res.body?.data).toBeUndefined();
    expect(res.body?.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(gw.logs.text()).not.toContain('unexpected error masked');
  });

  it('keeps batching off', async () => {
    const res = await postAnswer(gw.url, [{ query: '{ __typename }' }, { query: '{ __typename }' }]);

    expect(res.status).toBe(400);
    expect(Array.isArray(res.body)).toBe(false);
    expect(res.text).toContain('batching');
  });
});

describe('production mode', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startWithProcessEnvDevelopment('production');
  });
  afterAll(async () => {
    await gw.stop();
  });

  it.each([
    ['__schema', '{ __schema { types { name } } }'],
    ['__type', '{ __type(name: "Query") { name } }'],
    ['__schema inside a fragment', '{ ...I } fragment I on Query { __schema { queryType { name } } }'],
  ])('refuses introspection through %s', async (_label, query) => {
    const res = await postAnswer(gw.url, { query });

    expect(res.status).toBe(400);
    expect(res.body?.data).toBeUndefined();
    expect(res.body?.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('serves no IDE page to a browser at GET /graphql', async () => {
    const res = await ask(gw.url, { method: 'GET', headers: { accept: 'text/html' } });

    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.contentType).not.toContain('text/html');
    expect(res.text).not.toMatch(/graphiql|playground|sandbox|apollo-server-landing-page/i);
  });

  it('serves no playground assets either', async () => {
    const res = await fetch(`${gw.origin}/playground/graphiql.min.js`);

    expect(res.status).toBe(404);
  });
});
