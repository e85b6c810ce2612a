import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { flaggedKeys, runGraphqlCop, type CopReport } from '../support/graphql-cop';
import { signTestJwt } from '../support/jwt';
import { expectNoLeaks } from '../support/surface-leaks';
import { KNOWN_ACCOUNT, startTestGateway, type TestGateway } from '../support/test-gateway';

describe('graphql-cop against /graphql in production mode', () => {
  let gw: TestGateway;
  let bearer: string;
  let anonymous: CopReport;
  let signedIn: CopReport;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { NODE_ENV: 'production' } });
    bearer = await signTestJwt({ sub: KNOWN_ACCOUNT });
    anonymous = await runGraphqlCop(gw.url);
    signedIn = await runGraphqlCop(gw.url, { headers: { Authorization: `Bearer ${bearer}` } });
  });
  afterAll(async () => {
    await gw.stop();
  });

  it('recognises the endpoint as GraphQL, so the checks below really ran', () => {
    expect(anonymous.detected).toBe(true);
    expect(signedIn.detected).toBe(true);
    expect(anonymous.results).toHaveLength(14);
  });

  it('flags nothing without a token', () => {
    expect(flaggedKeys(anonymous)).toEqual([]);
  });

  it('flags nothing with a valid bearer token', () => {
    expect(flaggedKeys(signedIn)).toEqual([]);
  });

  it('answers every probe with a 4xx or 200, never a 5xx', () => {
    const statuses = [...anonymous.results, ...signedIn.results].map((r) => `${r.key}:${r.status}`);

    expect(statuses.filter((s) => /:5\d\d$/.test(s))).toEqual([]);
  });

  it('refuses the alias, duplication and directive probes with one validation error each, and batching, GET and form posts with 400', () => {
    const byKey = new Map(signedIn.results.map((r) => [r.key, r]));

    for (const key of [
      'alias_overloading',
      'alias_overloading_real_field',
      'field_duplication',
      'directive_overloading',
    ]) {
      const { status, body } = byKey.get(key)!;
      expect({ key, status, body }).toMatchObject({
        key,
        status: 400,
        body: { errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] },
      });
      expect((body as { errors: unknown[] }).errors).toHaveLength(1);
    }
    // Batching is off; GET and form posts are stopped by CSRF prevention before any operation runs.
    for (const key of ['batch_query', 'get_method_support', 'get_based_mutation', 'post_based_csrf']) {
      expect([key, byKey.get(key)!.status]).toEqual([key, 400]);
    }
  });

  it('leaks nothing in its answers or logs', () => {
    expectNoLeaks({ responses: [...anonymous.bodies, ...signedIn.bodies], logs: gw.logs.text(), secrets: [bearer] });
  });

  it('made no Cobalt call', () => {
    expect(gw.emulator.received()).toHaveLength(0);
  });
});

describe('graphql-cop against an unhardened Apollo Server (the checks can fail)', () => {
  let server: ApolloServer;
  let report: CopReport;

  beforeAll(async () => {
    // Apollo's defaults with NODE_ENV unset: what a first Apollo Server deployment looks like.
    server = new ApolloServer({
      typeDefs: 'type Query { viewer: Viewer! } type Viewer { linkedAccountId: ID! }',
      resolvers: { Query: { viewer: () => ({ linkedAccountId: 'user_1' }) } },
      nodeEnv: 'development',
    });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
    report = await runGraphqlCop(url);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('flags what the lab found, plus what the three gap fixes catch', () => {
    expect(report.detected).toBe(true);
    expect(flaggedKeys(report).sort()).toEqual(
      [
        'alias_overloading',
        'alias_overloading_real_field',
        'detect_graphiql',
        'directive_overloading',
        'field_duplication',
        'field_suggestions',
        'introspection',
        'unhandled_error_detection',
      ].sort(),
    );
  });

  it("misses the stack trace and Apollo's Sandbox page with graphql-cop's original conditions", () => {
    expect(flaggedKeys(report, 'flaggedByOriginal').sort()).toEqual(
      ['alias_overloading', 'directive_overloading', 'field_duplication', 'field_suggestions', 'introspection'].sort(),
    );
  });

  it('would fail the leak scan', () => {
    expect(report.bodies.some((body) => /stacktrace/.test(body))).toBe(true);
  });
});
