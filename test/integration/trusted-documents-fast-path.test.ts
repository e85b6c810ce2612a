import { ApolloServer } from '@apollo/server';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import manifest from '../../client/generated/persisted-documents.json';
import { KNOWN_ACCEPT } from '../../src/server/trusted-documents/fast-path';
import { signTestJwt } from '../support/jwt';
import { APPLICATIONS_PATH, SESSION_TOKEN_PATH } from '../support/operations';
import { metricsText } from '../support/probes';
import { freshAccount, startTestGateway, type TestGateway } from '../support/test-gateway';
import { useStarted } from '../support/use-test-gateway';

/**
 * The trusted-documents fast path against Apollo's own path: every manifest operation, its success and
 * each error it can reach, sent by id to a gateway in `require` mode (the fast path) and as full text
 * to one in `off` mode (Apollo). Status, headers and body must match byte for byte, once the values
 * that legitimately differ between two mints are masked (Cobalt tokens, their times). Both gateways
 * call one emulator, so faults and accounts apply to both.
 */

const OPERATIONS = Object.entries(manifest).map(([id, text]) => {
  const name = /\b(?:query|mutation) (\w+)/.exec(text)?.[1];
  if (name === undefined) throw new Error(`no operation name in ${text}`);
  return { id, text, name };
});
type OperationName =
  | 'Integrations'
  | 'Integration'
  | 'CreateConnectUrl'
  | 'UpsertLinkedAccount'
  | 'CreateSessionToken'
  | 'RevokeSessionToken'
  | 'Viewer';

function operation(name: OperationName): { id: string; text: string; name: string } {
  const found = OPERATIONS.find((op) => op.name === name);
  if (found === undefined) throw new Error(`${name} is not in the manifest`);
  return found;
}

/** Who sends the request: a fresh linked account, nobody, a refused token, or an account Cobalt lacks. */
type Caller = 'account' | 'anonymous' | 'refused' | 'unknown-account';

interface Case {
  readonly operation: OperationName;
  readonly caller?: Caller;
  readonly variables?: unknown;
  readonly operationName?: string | null;
  readonly accept?: string;
  /** Apollo's `extensions.persistedQuery` form instead of `documentId`. */
  readonly apolloForm?: boolean;
  /** Requests sent first, the same to both gateways (a mint before a revoke…). */
  readonly before?: readonly OperationName[];
}

interface Pair {
  readonly fast: TestGateway;
  readonly apollo: TestGateway;
}

function usePair(env: Record<string, string> = {}): () => Pair {
  return useStarted(
    async () => {
      const fast = await startTestGateway({ env: { ...env, TRUSTED_DOCUMENTS: 'require' } });
      try {
        const apollo = await startTestGateway({
          env: { ...env, TRUSTED_DOCUMENTS: 'off' },
          cobaltBaseUrl: fast.emulator.url,
        });
        return { fast, apollo };
      } catch (error) {
        await fast.stop();
        throw error;
      }
    },
    async ({ fast, apollo }) => {
      await apollo.stop();
      await fast.stop();
    },
  );
}

// Cobalt issues each gateway its own token; its expiry and a connect URL's token differ with it.
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g;
const mask = (text: string) => text.replace(JWT, '<jwt>').replace(ISO_TIME, '<time>');
// Per-connection or per-moment headers; everything else must be the same.
const IGNORED_HEADERS = new Set(['date', 'content-length', 'keep-alive', 'connection']);

interface Seen {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let requestCounter = 0;

async function bearerFor(caller: Caller, pair: Pair): Promise<string | undefined> {
  if (caller === 'anonymous') return undefined;
  if (caller === 'refused') return 'Bearer not.a-valid.token';
  requestCounter += 1;
  const sub =
    caller === 'account' ? freshAccount(pair.fast.emulator, 'fast') : `missing_${process.pid}_${requestCounter}`;
  return `Bearer ${await signTestJwt({ sub })}`;
}

async function send(gateway: TestGateway, body: unknown, headers: Record<string, string>): Promise<Seen> {
  const res = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const seen: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!IGNORED_HEADERS.has(name)) seen[name] = value;
  });
  return { status: res.status, headers: seen, body: mask(await res.text()) };
}

function bodies(c: Pick<Case, 'operation' | 'variables' | 'operationName' | 'apolloForm'>) {
  const op = operation(c.operation);
  const rest = {
    ...(c.variables !== undefined && { variables: c.variables }),
    ...(c.operationName !== undefined && { operationName: c.operationName }),
  };
  const trusted = c.apolloForm
    ? { extensions: { persistedQuery: { version: 1, sha256Hash: op.id.slice('sha256:'.length) } }, ...rest }
    : { documentId: op.id, ...rest };
  return { trusted, full: { query: op.text, ...rest } };
}

/**
 * Sends the case to both gateways (its `before` requests first) and returns both answers,
 * failing if the trusted request did not take the fast path (Apollo saw it).
 */
async function both(pair: Pair, c: Case): Promise<{ fast: Seen; apollo: Seen }> {
  const authorization = await bearerFor(c.caller ?? 'account', pair);
  requestCounter += 1;
  const headers = {
    'x-request-id': `equivalence-${requestCounter}`,
    ...(authorization !== undefined && { authorization }),
    ...(c.accept !== undefined && { accept: c.accept }),
  };
  // One gateway's whole sequence, then the other's: they share Cobalt, and a revoke on one must not
  // land between the other's mint and revoke.
  for (const before of c.before ?? []) await send(pair.fast, bodies({ operation: before }).trusted, headers);
  const apolloRuns = jest.spyOn(ApolloServer.prototype, 'executeHTTPGraphQLRequest');
  const fast = await send(pair.fast, bodies(c).trusted, headers);
  expect(apolloRuns).not.toHaveBeenCalled();
  apolloRuns.mockRestore();
  for (const before of c.before ?? []) await send(pair.apollo, bodies({ operation: before }).full, headers);
  return { fast, apollo: await send(pair.apollo, bodies(c).full, headers) };
}

/** The `cobalt_gateway_graphql_*` samples of /metrics, durations' sums left out. */
async function graphqlMetrics(gateway: TestGateway): Promise<string[]> {
  const text = await metricsText(gateway);
  return text
    .split('\n')
    .filter((line) => /^cobalt_gateway_graphql_(requests_total|duration_seconds_count)\{/.test(line))
    .sort();
}

const label = (c: Case) =>
  `${c.operation} ${c.caller ?? 'account'}${c.variables === undefined ? '' : ` ${JSON.stringify(c.variables)}`}` +
  (c.operationName === undefined ? '' : ` operationName=${String(c.operationName)}`) +
  `${c.accept === undefined ? '' : ` accept=${c.accept}`}${c.apolloForm ? ' (extensions.persistedQuery)' : ''}` +
  (c.before === undefined ? '' : ` after ${c.before.join(', ')}`);

const CASES: readonly (Case & { readonly code?: string })[] = [
  { operation: 'Viewer' },
  { operation: 'Viewer', caller: 'anonymous', code: 'UNAUTHENTICATED' },
  { operation: 'Viewer', caller: 'refused', code: 'UNAUTHENTICATED' },
  { operation: 'Integrations' },
  { operation: 'Integrations', variables: { filter: { connected: false, nameContains: 'sl' } } },
  { operation: 'Integrations', variables: { filter: null } },
  { operation: 'Integrations', variables: { filter: { connected: 'yes' } }, code: 'BAD_USER_INPUT' },
  { operation: 'Integrations', variables: { filter: { bogus: 1 } }, code: 'BAD_USER_INPUT' },
  { operation: 'Integrations', variables: { filter: { nameContains: 'x'.repeat(101) } }, code: 'BAD_USER_INPUT' },
  { operation: 'Integrations', caller: 'anonymous', code: 'UNAUTHENTICATED' },
  { operation: 'Integration', variables: { slug: 'slack' } },
  { operation: 'Integration', variables: { slug: 'no-such-app' }, code: 'INTEGRATION_NOT_FOUND' },
  { operation: 'Integration', variables: { slug: 'Not A Slug!' }, code: 'BAD_USER_INPUT' },
  { operation: 'Integration', variables: {}, code: 'BAD_USER_INPUT' },
  { operation: 'Integration', variables: { slug: null }, code: 'BAD_USER_INPUT' },
  { operation: 'Integration', variables: { slug: 42 }, code: 'BAD_USER_INPUT' },
  { operation: 'CreateConnectUrl', variables: { slug: 'slack' } },
  { operation: 'CreateConnectUrl', variables: { slug: 'slack', input: { redirectUrl: 'https://app.example/done' } } },
  {
    operation: 'CreateConnectUrl',
    variables: { slug: 'slack', input: { redirectUrl: 'javascript:alert(1)' } },
    code: 'BAD_USER_INPUT',
  },
  { operation: 'CreateConnectUrl', caller: 'anonymous', variables: { slug: 'slack' }, code: 'UNAUTHENTICATED' },
  { operation: 'UpsertLinkedAccount', variables: { input: { name: 'Ada', udf: [{ key: 'plan', value: 'pro' }] } } },
  { operation: 'UpsertLinkedAccount', caller: 'unknown-account', variables: { input: { name: 'New' } } },
  { operation: 'UpsertLinkedAccount', variables: { input: { name: '' } }, code: 'BAD_USER_INPUT' },
  { operation: 'UpsertLinkedAccount', variables: { input: { udf: [{ key: 'k' }] } }, code: 'BAD_USER_INPUT' },
  { operation: 'UpsertLinkedAccount', code: 'BAD_USER_INPUT' },
  { operation: 'CreateSessionToken' },
  { operation: 'CreateSessionToken', apolloForm: true },
  { operation: 'CreateSessionToken', variables: null },
  { operation: 'CreateSessionToken', variables: { forceRefresh: false } },
  { operation: 'CreateSessionToken', variables: { forceRefresh: true }, before: ['CreateSessionToken'] },
  { operation: 'CreateSessionToken', before: ['CreateSessionToken'] },
  { operation: 'CreateSessionToken', operationName: 'CreateSessionToken' },
  { operation: 'CreateSessionToken', operationName: null },
  { operation: 'CreateSessionToken', variables: { forceRefresh: 'yes' }, code: 'BAD_USER_INPUT' },
  // A null for the non-null argument passes validation (the variable has a default) and fails in execution.
  { operation: 'CreateSessionToken', variables: { forceRefresh: null }, code: 'BAD_USER_INPUT' },
  { operation: 'CreateSessionToken', caller: 'anonymous', code: 'UNAUTHENTICATED' },
  { operation: 'CreateSessionToken', caller: 'refused', code: 'UNAUTHENTICATED' },
  { operation: 'CreateSessionToken', caller: 'unknown-account', code: 'LINKED_ACCOUNT_NOT_FOUND' },
  ...[...KNOWN_ACCEPT.keys()]
    .filter((accept) => accept !== undefined)
    .map((accept): Case => ({ operation: 'CreateSessionToken', accept })),
  {
    operation: 'CreateSessionToken',
    caller: 'anonymous',
    accept: 'application/graphql-response+json',
    code: 'UNAUTHENTICATED',
  },
  { operation: 'RevokeSessionToken' },
  { operation: 'RevokeSessionToken', before: ['CreateSessionToken'] },
  { operation: 'RevokeSessionToken', caller: 'anonymous', code: 'UNAUTHENTICATED' },
];

describe('the trusted-documents fast path answers exactly as Apollo does', () => {
  const pair = usePair();

  it('covers every operation of the manifest', () => {
    expect(new Set(CASES.map((c) => c.operation))).toEqual(new Set(OPERATIONS.map((op) => op.name)));
  });

  it.each(CASES.map((c) => [label(c), c] as const))('%s', async (_label, c) => {
    const { fast, apollo } = await both(pair(), c);

    expect(fast).toEqual(apollo);
    const code = (JSON.parse(fast.body) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions
      ?.code;
    expect(code).toBe(c.code);
  });

  it('counts and times the operations alike in the metrics', async () => {
    const fast = await graphqlMetrics(pair().fast);

    expect(fast.length).toBeGreaterThan(10);
    expect(fast).toEqual(await graphqlMetrics(pair().apollo));
  });
});

describe('the fast path when Cobalt fails', () => {
  const pair = usePair();
  afterEach(() => pair().fast.emulator.faults.clear());

  it.each([
    ['CreateSessionToken', SESSION_TOKEN_PATH, 503, 'COBALT_UNAVAILABLE'],
    ['CreateSessionToken', SESSION_TOKEN_PATH, 401, 'COBALT_AUTH_FAILED'],
    ['Integrations', `${APPLICATIONS_PATH}*`, 503, 'COBALT_UNAVAILABLE'],
  ] as const)('%s with Cobalt answering %s %s: %s', async (name, path, status, code) => {
    pair().fast.emulator.addFault({ type: 'status', status }, { path });

    const { fast, apollo } = await both(pair(), { operation: name });

    expect(fast).toEqual(apollo);
    expect(fast.body).toContain(`"code":"${code}"`);
  });
});

describe('the fast path under the rate limits', () => {
  const pair = usePair({ RATE_LIMIT_MINTS_PER_MINUTE: '1' });

  it('refuses a second mint with RATE_LIMITED and retryAfterSeconds, as Apollo does', async () => {
    const { fast, apollo } = await both(pair(), { operation: 'CreateSessionToken', before: ['CreateSessionToken'] });

    expect(fast).toEqual(apollo);
    expect(fast.body).toMatch(/"code":"RATE_LIMITED","retryable":true,"retryAfterSeconds":\d+/);
  });
});

describe('requests the fast path leaves to Apollo', () => {
  const pair = usePair();
  const mint = operation('CreateSessionToken');

  it.each([
    ['a body with a query beside the id', { documentId: mint.id, query: mint.text }, {}],
    ['an operationName the document does not have', { documentId: mint.id, operationName: 'Other' }, {}],
    ['an Accept it does not know', { documentId: mint.id }, { accept: 'application/json;q=0.5, text/html' }],
    ['an Accept nothing answers', { documentId: mint.id }, { accept: 'text/html' }],
    ['variables that are not an object', { documentId: mint.id, variables: '{}' }, {}],
    ['extensions beside persistedQuery', { documentId: mint.id, extensions: { tracing: true } }, {}],
  ])('%s', async (_case, body, headers: Record<string, string>) => {
    const authorization = `Bearer ${await signTestJwt({ sub: freshAccount(pair().fast.emulator, 'fallback') })}`;
    const apolloRuns = jest.spyOn(ApolloServer.prototype, 'executeHTTPGraphQLRequest');
    try {
      const seen = await send(pair().fast, body, { ...headers, authorization });

      expect(apolloRuns).toHaveBeenCalledTimes(1);
      expect(seen.headers['cache-control']).toBe('no-store');
    } finally {
      apolloRuns.mockRestore();
    }
  });
});
