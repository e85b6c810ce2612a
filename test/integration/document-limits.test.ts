import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DOCUMENT_LIMITS, TOKEN_LIMIT_MESSAGE } from '../../src/server/document-limits';
import { postJson } from '../support/graphql-request';
import { signTestJwt } from '../support/jwt';
import { MINT_QUERY } from '../support/operations';
import { expectNoLeaks } from '../support/surface-leaks';
import { freshAccount, startTestGateway, type TestGateway } from '../support/test-gateway';

interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly text: string;
  readonly body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

const aliasedMints = (n: number) =>
  `mutation { ${Array.from({ length: n }, (_, i) => `a${i}: createSessionToken { token }`).join(' ')} }`;

/**
 * Documents built to make the gateway work hard or call Cobalt many times (aliases, depth, fragment
 * cycles, size), over HTTP against a production-mode gateway, signed in as a real account.
 */
describe('hostile documents', () => {
  let gw: TestGateway;
  let bearer: string;
  const texts: string[] = [];

  async function send(body: string): Promise<Answer> {
    const started = performance.now();
    const res = await postJson(gw.url, body, { authorization: `Bearer ${bearer}` });
    const text = await res.text();
    texts.push(text);
    return { status: res.status, ms: performance.now() - started, text, body: JSON.parse(text) as Answer['body'] };
  }

  beforeAll(async () => {
    gw = await startTestGateway({ env: { NODE_ENV: 'production' } });
    bearer = await signTestJwt({ sub: freshAccount(gw.emulator) });
  });
  afterAll(async () => {
    expectNoLeaks({ responses: texts, logs: gw.logs.text(), secrets: [bearer] });
    await gw.stop();
  });

  it('mints normally, so the Cobalt counter below can move', async () => {
    const res = await send(JSON.stringify({ query: MINT_QUERY }));

    expect(res.status).toBe(200);
    expect(gw.emulator.received()).not.toHaveLength(0);
    gw.emulator.reset();
  });

  const mintDeep = 'mutation { createSessionToken { token a { b { c { d { e { f } } } } } } }';
  const fragmentCycle =
    'mutation { createSessionToken { ...A } } fragment A on SessionToken { token ...B } fragment B on SessionToken { ...A }';
  const bigDocument = `${MINT_QUERY} ${'query q { viewer { linkedAccountId } } '.repeat(520)}`;

  it.each<[string, string, number, string, RegExp]>([
    ['two aliases of the mint', aliasedMints(2), 400, 'GRAPHQL_VALIDATION_FAILED', /at most once/],
    ['16 aliases of the mint', aliasedMints(16), 400, 'GRAPHQL_VALIDATION_FAILED', /too many aliases/],
    // 200 aliases are about 1,400 tokens: parsing stops before validation.
    ['200 aliases of the mint', aliasedMints(200), 400, 'GRAPHQL_PARSE_FAILED', /document is too large/],
    ['a mint nested 7 levels deep', mintDeep, 400, 'GRAPHQL_VALIDATION_FAILED', /nested too deeply/],
    ['a fragment cycle', fragmentCycle, 400, 'GRAPHQL_VALIDATION_FAILED', /within itself/],
    ['a 20 KB document', bigDocument, 400, 'GRAPHQL_PARSE_FAILED', /^Syntax Error: The document is too large\.$/],
  ])('refuses %s before any resolver runs', async (_label, query, status, code, message) => {
    const res = await send(JSON.stringify({ query }));

    expect(res.status).toBe(status);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors![0]!.extensions!.code).toBe(code);
    expect(res.body.errors![0]!.message).toMatch(message);
    expect(res.text).not.toContain(String(DOCUMENT_LIMITS.maxTokens));
    expect(gw.emulator.received()).toHaveLength(0);
    // Generous: a refusal does no I/O; the point is it does not wait on anything.
    expect(res.ms).toBeLessThan(2000);
  });

  it('the 20 KB document really is 20 KB', () => {
    expect(bigDocument.length).toBeGreaterThan(20_000);
    expect(TOKEN_LIMIT_MESSAGE).toMatch(/too large/);
  });

  it('answers 413 to a 1 MB body, before parsing it', async () => {
    const res = await send(JSON.stringify({ query: aliasedMints(1), pad: 'x'.repeat(1024 * 1024) }));

    expect(res.status).toBe(413);
    expect(res.body.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
    expect(gw.emulator.received()).toHaveLength(0);
  });

  it('stays healthy afterwards', async () => {
    const health = await fetch(`${gw.origin}/healthz`);

    expect(health.status).toBe(200);
  });
});
