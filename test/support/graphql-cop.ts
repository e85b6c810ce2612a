/**
 * graphql-cop 1.15 (dolevf/graphql-cop, commit 2b7e086) reimplemented: the same requests and the same
 * "flagged" conditions as its `lib/tests/*.py`, plus the three gaps it has against
 * Apollo Server 5 closed. Every result carries both verdicts, so a test can show where the original
 * would have missed something.
 */

export type CopSeverity = 'HIGH' | 'MEDIUM' | 'LOW' | 'INFO';

export interface CopResult {
  readonly key: string;
  readonly title: string;
  readonly severity: CopSeverity;
  /** Our verdict: the original condition or the gap fix. */
  readonly flagged: boolean;
  /** graphql-cop 1.15's own condition (false for checks it does not have). */
  readonly flaggedByOriginal: boolean;
  readonly status: number;
  /** The parsed answer to the check's request (undefined when it was not JSON). */
  readonly body: unknown;
}

export interface CopReport {
  /** graphql-cop's `is_graphql` probe; it skips an endpoint that fails it. */
  readonly detected: boolean;
  readonly results: readonly CopResult[];
  /** Every response body received, for leak scans. */
  readonly bodies: readonly string[];
}

export interface CopOptions {
  /** Extra headers on every request (graphql-cop's `-H`), e.g. `{ Authorization: 'Bearer …' }`. */
  readonly headers?: Record<string, string>;
  /** A real field for the alias check (gap 3: Armor exempts `__typename` from its alias limit). */
  readonly realField?: string;
}

type Json = Record<string, unknown>;

// lib/utils.py: requests' json= body, plus graphql-cop's fixed headers.
const POST_HEADERS = {
  'user-agent': 'graphql-cop/1.15',
  'content-type': 'application/json',
  accept: '*/*',
  'accept-encoding': 'gzip, deflate',
};
// GET checks go through requests.request(...) with no body and no content type.
const GET_HEADERS = { 'user-agent': 'graphql-cop/1.15', accept: '*/*', 'accept-encoding': 'gzip, deflate' };
const IDE_MARKERS = ['graphiql.min.css', 'GraphQL Playground', 'GraphiQL', 'graphql-playground'];
// Gap 2: Apollo Server 4/5's landing page embeds Sandbox, which none of the markers above match.
const APOLLO_IDE_MARKERS = ['apollo-server-landing-page', 'embeddable-sandbox'];
const TYPENAMES = ['Query', 'QueryRoot', 'query_root', 'Root'];

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function dataOf(body: unknown): Json | undefined {
  return asObject(asObject(body)?.['data']);
}

function errorsOf(body: unknown): Json[] {
  const errors = asObject(body)?.['errors'];
  return Array.isArray(errors) ? errors.map((e) => asObject(e) ?? {}) : [];
}

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}

function aliases(field: string): string {
  return Array.from({ length: 101 }, (_, i) => `alias${i}:${field}`).join(' \n ');
}

export async function runGraphqlCop(url: string, options: CopOptions = {}): Promise<CopReport> {
  const extra = options.headers ?? {};
  const bodies: string[] = [];

  async function send(init: RequestInit, target = url): Promise<{ status: number; text: string; body: unknown }> {
    const response = await fetch(target, { redirect: 'follow', ...init });
    const text = await response.text();
    bodies.push(text);
    return { status: response.status, text, body: parse(text) };
  }
  const post = (query: string) =>
    send({
      method: 'POST',
      headers: { ...POST_HEADERS, ...extra },
      body: JSON.stringify({ query, operationName: 'cop' }),
    });
  const get = (query: string) =>
    send({ method: 'GET', headers: { ...GET_HEADERS, ...extra } }, `${url}?${new URLSearchParams({ query })}`);

  const probe = await post('query cop { __typename }');
  const probeData = dataOf(probe.body);
  const detected =
    TYPENAMES.includes(String(probeData?.['__typename'])) ||
    errorsOf(probe.body).some((e) => 'locations' in e) ||
    probeData !== undefined;

  const results: CopResult[] = [];
  const record = (
    key: string,
    title: string,
    severity: CopSeverity,
    answer: { status: number; body: unknown },
    original: boolean,
    fixed = original,
  ) => {
    const { status, body } = answer;
    results.push({ key, title, severity, status, body, flaggedByOriginal: original, flagged: original || fixed });
  };

  const alias = await post(`query cop { ${aliases('__typename')} \n }`);
  record('alias_overloading', 'Alias Overloading', 'HIGH', alias, truthy(dataOf(alias.body)?.['alias100']));

  // Gap 3: the same with a real field. Executed at all (a `data` key, even null because the field
  // needs a signed-in user) means 101 resolver calls ran: flagged.
  const realField = options.realField ?? 'viewer { linkedAccountId }';
  const aliasReal = await post(`query cop { ${aliases(realField)} \n }`);
  record(
    'alias_overloading_real_field',
    'Alias Overloading (real field)',
    'HIGH',
    aliasReal,
    false,
    asObject(aliasReal.body) !== undefined && 'data' in asObject(aliasReal.body)!,
  );

  const batch = await send({
    method: 'POST',
    headers: { ...POST_HEADERS, ...extra },
    body: JSON.stringify(Array.from({ length: 10 }, () => ({ query: 'query cop { __typename }' }))),
  });
  record(
    'batch_query',
    'Array-based Query Batching',
    'HIGH',
    batch,
    Array.isArray(batch.body) && batch.body.length >= 10,
  );

  // Disabled by default since 1.15 (graphql-cop issue #43); run here as informational.
  const duplication = await post(`query cop { ${'__typename \n'.repeat(500)}} `);
  record(
    'field_duplication',
    'Field Duplication',
    'HIGH',
    duplication,
    truthy(dataOf(duplication.body)?.['__typename']),
  );

  const directives = await post('query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }');
  record('directive_overloading', 'Directive Overloading', 'HIGH', directives, errorsOf(directives.body).length === 10);

  const circular = await post(
    'query cop { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }',
  );
  const circularTypes = asObject(dataOf(circular.body)?.['__schema'])?.['types'];
  record(
    'circular_query_introspection',
    'Introspection-based Circular Query',
    'HIGH',
    circular,
    Array.isArray(circularTypes) && circularTypes.length > 25,
  );

  const introspection = await post('query cop { __schema { types { name fields { name } } } }');
  record(
    'introspection',
    'Introspection',
    'HIGH',
    introspection,
    truthy(asObject(dataOf(introspection.body)?.['__schema'])?.['types']),
  );

  const suggestions = await post('query cop { __schema { directive } }');
  const firstMessage = errorsOf(suggestions.body)[0]?.['message'];
  record(
    'field_suggestions',
    'Field Suggestions',
    'LOW',
    suggestions,
    typeof firstMessage === 'string' && firstMessage.includes('Did you mean'),
  );

  const trace = await post('query cop { __typename }');
  const traceExtensions = asObject(asObject(trace.body)?.['extensions']);
  record(
    'trace_mode',
    'Tracing Mode',
    'INFO',
    trace,
    asObject(errorsOf(trace.body)[0]?.['extensions'])?.['tracing'] !== undefined ||
      traceExtensions?.['tracing'] !== undefined,
  );

  const unhandled = await post('qwerty cop { abc }');
  const unhandledExtensions = asObject(errorsOf(unhandled.body)[0]?.['extensions']);
  record(
    'unhandled_error_detection',
    'Unhandled Errors Detection',
    'INFO',
    unhandled,
    unhandledExtensions?.['exception'] !== undefined,
    // Gap 1: Apollo Server 4/5 put the stack in `extensions.stacktrace`.
    unhandledExtensions?.['stacktrace'] !== undefined,
  );

  const getQuery = await get('query cop {__typename}');
  record(
    'get_method_support',
    'GET Method Query Support',
    'MEDIUM',
    getQuery,
    truthy(dataOf(getQuery.body)?.['__typename']),
  );

  const getMutation = await get('mutation cop {__typename}');
  record(
    'get_based_mutation',
    'Mutation is allowed over GET (possible CSRF)',
    'MEDIUM',
    getMutation,
    truthy(dataOf(getMutation.body)?.['__typename']),
  );

  const form = await send({
    method: 'POST',
    headers: { ...POST_HEADERS, ...extra, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'query=query+cop+%7B+__typename+%7D',
  });
  record(
    'post_based_csrf',
    'POST based url-encoded query (possible CSRF)',
    'MEDIUM',
    form,
    truthy(dataOf(form.body)?.['__typename']),
  );

  const ide = await send({ method: 'GET', headers: { ...GET_HEADERS, ...extra, accept: 'text/html' } });
  record(
    'detect_graphiql',
    'GraphQL IDE',
    'LOW',
    ide,
    IDE_MARKERS.some((marker) => ide.text.includes(marker)),
    APOLLO_IDE_MARKERS.some((marker) => ide.text.includes(marker)),
  );

  return { detected, results, bodies };
}

/** The keys of the flagged checks, for one-line assertions. */
export function flaggedKeys(report: CopReport, verdict: 'flagged' | 'flaggedByOriginal' = 'flagged'): string[] {
  return report.results.filter((result) => result[verdict]).map((result) => result.key);
}
