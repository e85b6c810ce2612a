import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { checkLinkedAccountId } from '../../src/auth/linked-account-id';
import { postJson } from '../support/graphql-request';
import { signTestJwt, testSecretKey } from '../support/jwt';
import { MINT_QUERY, SESSION_TOKEN_PATH } from '../support/operations';
import { RESPONSE_LEAK } from '../support/surface-leaks';
import { freshAccount, startTestGateway, type TestGateway } from '../support/test-gateway';

/**
 * Property-based fuzzing of everything a client controls: documents, bodies, headers and JWT claims. Whatever arrives, the gateway answers with a status
 * from a small legitimate set, never a 5xx, never a stack, and stays healthy. Seeds are fixed so a run
 * is reproducible; fast-check prints the seed and the shrunk counterexample when a property fails.
 */

const SEED = 20261125;
const RUNS = 200;
// Generous: a property sends RUNS requests one after another on a loaded 2-core machine.
jest.setTimeout(60_000);

interface Answer {
  readonly status: number;
  readonly text: string;
}

// Header values fetch can send: visible Latin-1 and spaces, no control characters (Node's parser
// refuses those itself, before the gateway sees the request).
const headerChar = fc
  .integer({ min: 0x20, max: 0xff })
  .filter((c) => c !== 0x7f)
  .map((c) => String.fromCharCode(c));
const headerValue = (maxLength: number) => fc.string({ unit: headerChar, maxLength });

// A vocabulary from the schema plus strangers, so documents reach validation and execution, not
// only the parser.
const fieldName = fc.constantFrom(
  'viewer',
  'linkedAccountId',
  '__typename',
  'createSessionToken',
  'revokeSessionToken',
  'token',
  'expiresAt',
  '__schema',
  '__type',
  'types',
  'name',
  'nope',
);
const argument = fc.constantFrom(
  '',
  '(forceRefresh: true)',
  '(forceRefresh: false)',
  '(forceRefresh: $v)',
  '(forceRefresh: "yes")',
  '(name: "Query")',
  '(x: {a: [1, 2.5, null]})',
);
const directive = fc.constantFrom('', '', '@include(if: true)', '@skip(if: $v)', '@aa', '@deprecated', '@include');
const alias = fc.constantFrom('', '', 'a:', 'b:', '__typename:', 'viewer:');
const typeName = fc.constantFrom('Query', 'Mutation', 'Viewer', 'SessionToken', 'Nope');

const { selectionSet } = fc.letrec<{ selection: string; selectionSet: string }>((tie) => ({
  selection: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(alias, fieldName, argument, directive).map((parts) => parts.join(' ')),
    fc.tuple(alias, fieldName, argument, directive, tie('selectionSet')).map((parts) => parts.join(' ')),
    fc.tuple(typeName, directive, tie('selectionSet')).map(([type, d, set]) => `... on ${type} ${d} ${set}`),
    tie('selectionSet').map((set) => `... ${set}`),
    fc.constantFrom('...F', '...G', '...Missing'),
  ),
  selectionSet: fc.array(tie('selection'), { minLength: 1, maxLength: 4 }).map((items) => `{ ${items.join(' ')} }`),
}));

const fragment = fc
  .tuple(fc.constantFrom('F', 'G'), typeName, selectionSet)
  .map(([name, type, set]) => `fragment ${name} on ${type} ${set}`);

const document = fc
  .tuple(
    fc.constantFrom('', 'query', 'mutation', 'subscription', 'query Op', 'mutation Op'),
    fc.constantFrom('', '($v: Boolean)', '($v: Boolean!)', '($v: String = "x")'),
    directive,
    selectionSet,
    fc.array(fragment, { maxLength: 2 }),
  )
  .map(([head, vars, d, set, fragments]) =>
    [head === '' ? set : `${head} ${vars} ${d} ${set}`, ...fragments].join('\n'),
  );

// Documents built from the schema, so a good share of them pass validation and really execute
// (resolvers, the mint, Cobalt), with aliases, directives and inline fragments mixed in.
const validDirective = fc.constantFrom('@include(if: true)', '@skip(if: false)', '@include(if: $v)');
const sometimes = (value: fc.Arbitrary<string>) => fc.oneof({ arbitrary: fc.constant(''), weight: 3 }, value);
const fieldsOf = (names: string[]) =>
  fc
    .array(
      fc
        .tuple(fc.constantFrom(...names), fc.boolean(), sometimes(validDirective))
        // An alias derived from the field keeps fields mergeable (a: x and a: y would conflict).
        .map(([name, aliased, d]) => `${aliased ? `${name}Alias: ` : ''}${name} ${d}`),
      { minLength: 1, maxLength: 3 },
    )
    .map((fields) => `{ ${fields.join(' ')} }`);
const viewerSelection = fieldsOf(['linkedAccountId', '__typename']).map((set) => `viewer ${set}`);
const querySelection = fc.oneof(
  viewerSelection,
  fc.constant('__typename'),
  viewerSelection.map((field) => `... on Query { ${field} }`),
  viewerSelection.map((field) => `... @include(if: true) { ${field} }`),
);
const schemaDocument = fc.oneof(
  fc
    .array(querySelection, { minLength: 1, maxLength: 3 })
    .map((fields) => `query ($v: Boolean = true) { __typename @include(if: $v) ${fields.join(' ')} }`),
  fieldsOf(['token', 'expiresAt', 'linkedAccountId', '__typename']).map(
    (set) => `mutation ($v: Boolean = false) { createSessionToken(forceRefresh: $v) ${set} }`,
  ),
  fc.constant('mutation { revokeSessionToken }'),
);

describe('fuzzing /graphql (production mode)', () => {
  let gw: TestGateway;
  let bearer: string;
  let unhandled = 0;
  const onUnhandled = () => {
    unhandled += 1;
  };

  async function post(body: string, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await postJson(gw.url, body, { authorization: `Bearer ${bearer}`, ...headers });
    return { status: res.status, text: await res.text() };
  }

  /** The invariant every answer keeps, whatever was sent. */
  function expectSane(answer: Answer, allowed: readonly number[]): void {
    if (!allowed.includes(answer.status) || RESPONSE_LEAK.test(answer.text)) {
      throw new Error(`unexpected answer ${answer.status}: ${answer.text.slice(0, 300)}`);
    }
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    gw = await startTestGateway({ env: { NODE_ENV: 'production' }, logLevel: 'info' });
    bearer = await signTestJwt({ sub: freshAccount(gw.emulator) });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await gw.stop();
  });

  it('answers random and recursive documents with 200 or 400', async () => {
    let executed = 0;
    const variables = fc.oneof(
      { arbitrary: fc.constant(null), weight: 2 },
      fc.record({ v: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })) }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(document, schemaDocument), variables, async (query, vars) => {
        const answer = await post(JSON.stringify({ query, ...(vars !== null && { variables: vars }) }));
        expectSane(answer, [200, 400]);
        if (answer.status === 200) executed += 1;
      }),
      { seed: SEED, numRuns: RUNS },
    );

    // Not only parser and validation errors: a good share of the documents ran.
    expect(executed).toBeGreaterThan(RUNS / 5);
  });

  it('answers random characters and bytes as the query with 200 or 400', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    await fc.assert(
      fc.asyncProperty(text, async (query) => {
        expectSane(await post(JSON.stringify({ query })), [200, 400]);
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });

  it('answers random bytes as the whole body with 200 or 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const res = await fetch(gw.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(bytes),
        });
        expectSane({ status: res.status, text: await res.text() }, [200, 400]);
      }),
      { seed: SEED + 2, numRuns: RUNS },
    );
  });

  it('answers any JSON type in query, variables, operationName and extensions with 200 or 400', async () => {
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant('{ __typename }'), document);
    const extensions = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record({
        persistedQuery: fc.record(
          {
            version: fc.oneof(fc.constant(1), fc.jsonValue()),
            sha256Hash: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.jsonValue()),
          },
          { requiredKeys: [] },
        ),
      }),
    );
    const body = fc.record(
      {
        query: value,
        variables: fc.jsonValue({ maxDepth: 2 }),
        operationName: fc.jsonValue({ maxDepth: 1 }),
        extensions,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(body, fc.jsonValue({ maxDepth: 2 })), async (payload) => {
        expectSane(await post(JSON.stringify(payload)), [200, 400]);
      }),
      { seed: SEED + 3, numRuns: RUNS },
    );
  });

  it('answers random content-type, accept, authorization and x-request-id headers with 200, 400 or 406', async () => {
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/graphql-response+json',
        'application/json; charset=latin1',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/graphql',
      ),
      headerValue(60),
    );
    const authorization = fc.oneof(
      headerValue(80),
      headerValue(80).map((v) => `Bearer ${v}`),
      fc.constantFrom('Bearer a.b.c', 'Bearer ..', 'bearer x.y.z', 'Bearer '),
      fc.integer({ min: 4000, max: 8000 }).map((n) => `Bearer ${'a'.repeat(n)}.b.c`),
    );
    const headers = fc.record(
      {
        'content-type': contentType,
        accept: fc.oneof(
          fc.constantFrom('application/json', 'application/graphql-response+json', '*/*'),
          headerValue(40),
        ),
        authorization,
        'x-request-id': headerValue(300),
        'apollo-require-preflight': headerValue(10),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(headers, async (sent) => {
        const res = await fetch(gw.url, {
          method: 'POST',
          headers: sent,
          body: JSON.stringify({ query: '{ viewer { linkedAccountId } }' }),
        });
        const text = await res.text();
        expectSane({ status: res.status, text }, [200, 400, 406]);
        const requestId = res.headers.get('x-request-id') ?? '';
        if (!/^[A-Za-z0-9._:-]{1,128}$/.test(requestId)) throw new Error(`echoed a malformed request id: ${requestId}`);
      }),
      { seed: SEED + 4, numRuns: RUNS },
    );
  });

  it('refuses tokens with random claims and headers without a 5xx, calling Cobalt only for well-formed ids', async () => {
    const weird = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.integer({ min: 1, max: 3000 }).map((n) => 'x'.repeat(n)),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
      fc.constantFrom(1e308, -1, 0, Number.MAX_SAFE_INTEGER, '1999999999', 'user_12345', 'user_ok-1'),
    );
    const now = Math.floor(Date.now() / 1000);
    const time = fc.oneof(weird, fc.integer({ min: now - 1000, max: now + 1000 }));
    const claims = fc.record(
      { sub: weird, exp: time, nbf: time, iat: time, iss: weird, aud: weird, linked_account_id: weird, jti: weird },
      { requiredKeys: [] },
    );
    // `crit` and `b64` are left out: jose refuses to sign with odd values of those, so they would
    // mostly produce no request at all.
    const header = fc.record(
      { typ: weird, kid: weird, cty: weird, jku: fc.constant('http://127.0.0.1:9/jwks'), x5u: weird },
      { requiredKeys: [] },
    );
    gw.emulator.reset();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(claims, header, async (payload, extraHeader) => {
        let token: string;
        try {
          token = await new SignJWT(payload as Record<string, unknown>)
            .setProtectedHeader({ ...(extraHeader as Record<string, unknown>), alg: 'HS256' })
            .sign(testSecretKey);
        } catch {
          return; // jose refused to build it; nothing to send
        }
        sent += 1;
        const answer = await post(JSON.stringify({ query: MINT_QUERY }), {
          authorization: `Bearer ${token}`,
        });
        expectSane(answer, [200, 431]);
        if (answer.status === 200) {
          const body = JSON.parse(answer.text) as { errors?: { extensions: { code: string } }[] };
          const code = body.errors?.[0]?.extensions.code ?? 'ok';
          if (!['ok', 'UNAUTHENTICATED', 'LINKED_ACCOUNT_NOT_FOUND'].includes(code)) {
            throw new Error(`unexpected code ${code}`);
          }
        }
      }),
      { seed: SEED + 5, numRuns: RUNS },
    );

    const accounts = gw.emulator
      .received(SESSION_TOKEN_PATH)
      .map((r) => (JSON.parse(r.body) as { linked_account_id?: unknown }).linked_account_id);
    expect(sent).toBeGreaterThan(RUNS / 2);
    expect(accounts.filter((id) => checkLinkedAccountId(id) !== undefined)).toEqual([]);
  });

  it('stays healthy: /healthz, a normal mint, no unhandled rejection, nothing masked or crashed in the logs', async () => {
    const health = await fetch(`${gw.origin}/healthz`);
    const mint = await post(JSON.stringify({ query: MINT_QUERY }));
    const logs = gw.logs.text();

    expect(health.status).toBe(200);
    expect(mint.status).toBe(200);
    expect(JSON.parse(mint.text)).toMatchObject({ data: { createSessionToken: { token: expect.any(String) } } });
    expect(unhandled).toBe(0);
    expect(logs).not.toContain('unhandled error in HTTP handler');
    expect(logs).not.toContain('unexpected error masked');
  });
});
