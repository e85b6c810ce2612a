import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CreateConnectUrlDocument,
  CreateSessionTokenDocument,
  IntegrationDocument,
  IntegrationsDocument,
} from '../../client/generated/graphql';
import { signTestJwt } from '../support/jwt';
import { graphqlRequest, rawGraphQLRequest } from '../support/graphql-request';
import { APPLICATIONS_PATH, CONNECT_URL_PATH, SESSION_TOKEN_PATH } from '../support/operations';
import { freshAccount, TEST_API_KEY } from '../support/test-gateway';
import { useTestGateway } from '../support/use-test-gateway';
import { systemClock } from '../../src/infra/clock';

describe('integrations', () => {
  let clockOffsetMs = 0;
  const gw = useTestGateway({
    env: { INTEGRATIONS_CACHE_TTL_S: '30', COBALT_MAX_RETRIES: '0', COBALT_TIMEOUT_MS: '500' },
    // The gateway's wall clock only (Cobalt's emulator issues on real time); bearer tokens follow it.
    clock: { ...systemClock, now: () => Date.now() + clockOffsetMs },
  });
  afterEach(() => {
    gw.emulator.reset();
    clockOffsetMs = 0;
  });

  const bearerFor = (account: string) => signTestJwt({ sub: account }, { clock: gw.clock });

  it('lists every application as unconnected for a new account, asking Cobalt as that account', async () => {
    const account = freshAccount(gw.emulator);

    const res = await graphqlRequest(gw.url, IntegrationsDocument, { token: await bearerFor(account) });

    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.integrations.map((i) => [i.slug, i.authType, i.connected])).toEqual([
      ['slack', 'OAUTH2', false],
      ['hubspot', 'OAUTH2', false],
      ['freshdesk', 'KEY_BASED', false],
    ]);
    expect(res.body.data?.integrations[0]).toMatchObject({
      name: 'Slack',
      description: 'Send notifications to Slack channels.',
      icon: expect.stringMatching(/^data:image\/svg\+xml/),
      reauthRequired: false,
      connectedAccounts: [],
    });
    const [sent] = gw.emulator.received(APPLICATIONS_PATH);
    expect(sent!.method).toBe('GET');
    expect(sent!.headers['x-api-key']).toBe(TEST_API_KEY);
    expect(sent!.headers['linked_account_id']).toBe(account);
    expect(new URLSearchParams(sent!.search).get('linked_account_id')).toBe(account);
  });

  it('names an account id that a header would mangle only in the query string', async () => {
    // axios drops non-Latin-1 characters from header values: "用户" would name another account.
    const account = `josé.用户_${process.pid}@example.com`;
    gw.emulator.addLinkedAccount(account);
    gw.emulator.connectApplication(account, 'slack');

    const res = await graphqlRequest(gw.url, IntegrationsDocument, { token: await bearerFor(account) });

    expect(res.body.data?.integrations.find((i) => i.slug === 'slack')?.connected).toBe(true);
    const [sent] = gw.emulator.received(APPLICATIONS_PATH);
    expect(sent!.headers['linked_account_id']).toBeUndefined();
    expect(new URLSearchParams(sent!.search).get('linked_account_id')).toBe(account);
  });

  it('shows the connections of a connected account', async () => {
    const account = freshAccount(gw.emulator);
    gw.emulator.connectApplication(account, 'hubspot');

    const res = await graphqlRequest(gw.url, IntegrationsDocument, {
      token: await bearerFor(account),
      variables: { filter: { connected: true } },
    });

    expect(res.body.data?.integrations).toEqual([
      expect.objectContaining({
        slug: 'hubspot',
        connected: true,
        connectedAccounts: [
          { identifier: 'hubspot-workspace', status: 'ACTIVE', connectedAt: '2026-01-01T00:00:00.000Z' },
        ],
      }),
    ]);
  });

  it('filters by slugs, name and authentication method', async () => {
    const token = await bearerFor(freshAccount(gw.emulator));

    const bySlugs = await graphqlRequest(gw.url, IntegrationsDocument, {
      token,
      variables: { filter: { slugs: ['freshdesk', 'slack', 'nope'] } },
    });
    const byName = await graphqlRequest(gw.url, IntegrationsDocument, {
      token,
      variables: { filter: { nameContains: 'SPOT' } },
    });
    const byAuth = await graphqlRequest(gw.url, IntegrationsDocument, {
      token,
      variables: { filter: { authType: 'KEY_BASED', connected: false } },
    });

    expect(bySlugs.body.data?.integrations.map((i) => i.slug)).toEqual(['slack', 'freshdesk']);
    expect(byName.body.data?.integrations.map((i) => i.slug)).toEqual(['hubspot']);
    expect(byAuth.body.data?.integrations.map((i) => i.slug)).toEqual(['freshdesk']);
    expect(gw.emulator.received(APPLICATIONS_PATH)).toHaveLength(1);
  });

  it('costs one Cobalt call for integrations and two integration(slug) in one operation', async () => {
    const token = await bearerFor(freshAccount(gw.emulator));
    gw.emulator.addFault({ type: 'latency', ms: 100 }, { path: APPLICATIONS_PATH, times: 1 });

    const res = await rawGraphQLRequest<Record<string, unknown>>(
      gw.url,
      {
        query: `{
          integrations { slug }
          a: integration(slug: "slack") { slug connected }
          b: integration(slug: "freshdesk") { slug authType }
          again: integrations(filter: { connected: false }) { name }
        }`,
      },
      { token },
    );

    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toMatchObject({
      a: { slug: 'slack', connected: false },
      b: { slug: 'freshdesk', authType: 'KEY_BASED' },
    });
    expect(gw.emulator.received(APPLICATIONS_PATH)).toHaveLength(1);
    expect(gw.emulator.received()).toHaveLength(1);
  });

  it('serves the list from its cache until the TTL has passed', async () => {
    const account = freshAccount(gw.emulator);
    const token = await bearerFor(account);
    await graphqlRequest(gw.url, IntegrationsDocument, { token });
    gw.emulator.connectApplication(account, 'slack');

    const cached = await graphqlRequest(gw.url, IntegrationsDocument, { token });
    clockOffsetMs = 31_000;
    const fresh = await graphqlRequest(gw.url, IntegrationsDocument, { token });

    expect(cached.body.data?.integrations.find((i) => i.slug === 'slack')?.connected).toBe(false);
    expect(fresh.body.data?.integrations.find((i) => i.slug === 'slack')?.connected).toBe(true);
    expect(gw.emulator.received(APPLICATIONS_PATH)).toHaveLength(2);
  });

  it('keeps one cache per account', async () => {
    const [a, b] = [freshAccount(gw.emulator), freshAccount(gw.emulator)];
    gw.emulator.connectApplication(a, 'slack');

    const forA = await graphqlRequest(gw.url, IntegrationsDocument, { token: await bearerFor(a) });
    const forB = await graphqlRequest(gw.url, IntegrationsDocument, { token: await bearerFor(b) });

    expect(forA.body.data?.integrations.find((i) => i.slug === 'slack')?.connected).toBe(true);
    expect(forB.body.data?.integrations.find((i) => i.slug === 'slack')?.connected).toBe(false);
    expect(gw.emulator.received(APPLICATIONS_PATH).map((r) => r.headers['linked_account_id'])).toEqual([a, b]);
  });

  describe('integration(slug)', () => {
    it('answers INTEGRATION_NOT_FOUND for a slug Cobalt does not know, after asking Cobalt for it', async () => {
      const account = freshAccount(gw.emulator);

      const res = await graphqlRequest(gw.url, IntegrationDocument, {
        token: await bearerFor(account),
        variables: { slug: 'salesforce' },
      });

      expect(res.body.data?.integration).toBeNull();
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'INTEGRATION_NOT_FOUND', retryable: false });
      expect(res.body.errors?.[0]?.path).toEqual(['integration']);
      const lookups = gw.emulator.received(`${APPLICATIONS_PATH}/salesforce`);
      expect(lookups).toHaveLength(1);
      expect(lookups[0]!.headers['linked_account_id']).toBe(account);
      expect(JSON.stringify(res.body)).not.toMatch(/app_type|not found for org/);
    });

    it.each(['../session-token', 'slack/../../x', 'a b', 'slack%2F..', '', 'x'.repeat(65), 'sláck'])(
      'answers BAD_USER_INPUT for the slug %j before anything reaches Cobalt',
      async (slug) => {
        const res = await graphqlRequest(gw.url, IntegrationDocument, {
          token: await bearerFor(freshAccount(gw.emulator)),
          variables: { slug },
        });

        expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
        expect(gw.emulator.received()).toHaveLength(0);
      },
    );

    it('looks up at most 5 unknown slugs per operation', async () => {
      const aliases = Array.from({ length: 7 }, (_, i) => `s${i}: integration(slug: "unknown-${i}") { slug }`);

      const res = await rawGraphQLRequest(
        gw.url,
        { query: `{ ${aliases.join(' ')} }` },
        { token: await bearerFor(freshAccount(gw.emulator)) },
      );

      const codes = res.body.errors?.map((e) => e.extensions?.['code']).sort();
      expect(codes).toEqual([
        'BAD_USER_INPUT',
        'BAD_USER_INPUT',
        'INTEGRATION_NOT_FOUND',
        'INTEGRATION_NOT_FOUND',
        'INTEGRATION_NOT_FOUND',
        'INTEGRATION_NOT_FOUND',
        'INTEGRATION_NOT_FOUND',
      ]);
      expect(gw.emulator.received().filter((r) => r.path.startsWith(`${APPLICATIONS_PATH}/`))).toHaveLength(5);
    });
  });

  it('answers LINKED_ACCOUNT_NOT_FOUND for an account Cobalt does not know', async () => {
    const res = await graphqlRequest(gw.url, IntegrationsDocument, { token: await bearerFor('nobody_here') });

    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'LINKED_ACCOUNT_NOT_FOUND', retryable: false });
  });

  it('answers UNAUTHENTICATED without a bearer token and asks Cobalt nothing', async () => {
    const res = await graphqlRequest(gw.url, IntegrationsDocument, {});

    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(gw.emulator.received()).toHaveLength(0);
  });

  it.each([
    [{ type: 'status' as const, status: 500 }, 'COBALT_UNAVAILABLE', true],
    [{ type: 'status' as const, status: 429, retryAfter: '9' }, 'COBALT_RATE_LIMITED', true],
    [{ type: 'status' as const, status: 401, message: 'Invalid Credentials' }, 'COBALT_AUTH_FAILED', false],
    [{ type: 'hang' as const }, 'COBALT_UNAVAILABLE', true],
    [{ type: 'malformed' as const, body: '{"not":"a list"}' }, 'COBALT_BAD_RESPONSE', true],
    [{ type: 'malformed' as const, body: '[{"slug":7}]' }, 'COBALT_BAD_RESPONSE', true],
    [{ type: 'redirect' as const, location: 'http://127.0.0.1:9/steal' }, 'COBALT_BAD_RESPONSE', true],
  ])('maps a Cobalt fault on the list (%j) to %s', async (fault, code, retryable) => {
    gw.emulator.addFault(fault, { path: APPLICATIONS_PATH });

    const res = await graphqlRequest(gw.url, IntegrationsDocument, {
      token: await bearerFor(freshAccount(gw.emulator)),
    });

    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code, retryable });
  });

  it('does not cache a failure', async () => {
    const token = await bearerFor(freshAccount(gw.emulator));
    gw.emulator.addFault({ type: 'status', status: 500 }, { path: APPLICATIONS_PATH, times: 1 });

    const failed = await graphqlRequest(gw.url, IntegrationsDocument, { token });
    const next = await graphqlRequest(gw.url, IntegrationsDocument, { token });

    expect(failed.body.errors?.[0]?.extensions?.['code']).toBe('COBALT_UNAVAILABLE');
    expect(next.body.data?.integrations).toHaveLength(3);
  });

  it('loads once for concurrent requests of one account', async () => {
    const token = await bearerFor(freshAccount(gw.emulator));
    gw.emulator.addFault({ type: 'latency', ms: 150 }, { path: APPLICATIONS_PATH, times: 1 });

    const results = await Promise.all(
      Array.from({ length: 10 }, () => graphqlRequest(gw.url, IntegrationsDocument, { token })),
    );

    expect(results.every((r) => r.body.data?.integrations.length === 3)).toBe(true);
    expect(gw.emulator.received(APPLICATIONS_PATH)).toHaveLength(1);
  });

  it('refuses an oversized filter', async () => {
    const res = await graphqlRequest(gw.url, IntegrationsDocument, {
      token: await bearerFor(freshAccount(gw.emulator)),
      variables: { filter: { nameContains: 'x'.repeat(101) } },
    });

    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(gw.emulator.received()).toHaveLength(0);
  });

  describe('createConnectUrl', () => {
    it("returns Cobalt's hosted URL, asked for with the user's own session token", async () => {
      const account = freshAccount(gw.emulator);
      const token = await bearerFor(account);
      const minted = await graphqlRequest(gw.url, CreateSessionTokenDocument, { token });
      const sessionToken = minted.body.data!.createSessionToken.token;

      const res = await graphqlRequest(gw.url, CreateConnectUrlDocument, {
        token,
        variables: { slug: 'slack', input: { redirectUrl: 'https://app.example.com/settings' } },
      });

      expect(res.body.errors).toBeUndefined();
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body.data?.createConnectUrl).toEqual({
        url: `${gw.emulator.url}/connect/${sessionToken}`,
        expiresAt: minted.body.data!.createSessionToken.expiresAt,
      });
      const [sent] = gw.emulator.received(CONNECT_URL_PATH);
      expect(sent!.headers.authorization).toBe(`Bearer ${sessionToken}`);
      expect(sent!.headers['x-api-key']).toBeUndefined();
      expect(JSON.parse(sent!.body)).toEqual({ slug: 'slack', redirect_url: 'https://app.example.com/settings' });
      expect(gw.emulator.hostedProperties(sessionToken)).toEqual({
        slug: 'slack',
        redirect_url: 'https://app.example.com/settings',
      });
      // The session token came from the cache: one mint in all.
      expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);
    });

    it('lets the user connect, and the next list shows it connected', async () => {
      const token = await bearerFor(freshAccount(gw.emulator));
      const before = await graphqlRequest(gw.url, IntegrationsDocument, { token });
      const res = await graphqlRequest(gw.url, CreateConnectUrlDocument, { token, variables: { slug: 'hubspot' } });

      const hosted = await fetch(res.body.data!.createConnectUrl.url);
      const after = await graphqlRequest(gw.url, IntegrationsDocument, { token });

      expect(hosted.status).toBe(200);
      expect(before.body.data?.integrations.find((i) => i.slug === 'hubspot')?.connected).toBe(false);
      expect(after.body.data?.integrations.find((i) => i.slug === 'hubspot')?.connected).toBe(true);
    });

    it('answers INTEGRATION_NOT_FOUND for an unknown slug and creates no URL', async () => {
      const res = await graphqlRequest(gw.url, CreateConnectUrlDocument, {
        token: await bearerFor(freshAccount(gw.emulator)),
        variables: { slug: 'salesforce' },
      });

      expect(res.body.errors?.[0]?.extensions?.['code']).toBe('INTEGRATION_NOT_FOUND');
      expect(gw.emulator.received(CONNECT_URL_PATH)).toHaveLength(0);
    });

    it.each([
      ['a non-http redirect', { slug: 'slack', input: { redirectUrl: 'javascript:alert(1)' } }],
      ['a relative redirect', { slug: 'slack', input: { redirectUrl: '/settings' } }],
      ['a bad config id', { slug: 'slack', input: { configId: '../x' } }],
      ['a bad slug', { slug: 'slack/../x' }],
    ])('answers BAD_USER_INPUT for %s', async (_label, variables) => {
      const res = await graphqlRequest(gw.url, CreateConnectUrlDocument, {
        token: await bearerFor(freshAccount(gw.emulator)),
        variables,
      });

      expect(res.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(gw.emulator.received()).toHaveLength(0);
    });

    it('passes a config id as the config_id query parameter', async () => {
      await graphqlRequest(gw.url, CreateConnectUrlDocument, {
        token: await bearerFor(freshAccount(gw.emulator)),
        variables: { slug: 'slack', input: { configId: 'default-config' } },
      });

      expect(new URLSearchParams(gw.emulator.received(CONNECT_URL_PATH)[0]!.search).get('config_id')).toBe(
        'default-config',
      );
    });

    it('rotates a session token Cobalt refuses and tries once more', async () => {
      const account = freshAccount(gw.emulator);
      const token = await bearerFor(account);
      const first = (await graphqlRequest(gw.url, CreateSessionTokenDocument, { token })).body.data!.createSessionToken
        .token;
      gw.emulator.revokeToken(first);

      const res = await graphqlRequest(gw.url, CreateConnectUrlDocument, { token, variables: { slug: 'slack' } });

      expect(res.body.errors).toBeUndefined();
      const bearers = gw.emulator.received(CONNECT_URL_PATH).map((r) => r.headers.authorization);
      expect(bearers).toHaveLength(2);
      expect(bearers[0]).toBe(`Bearer ${first}`);
      expect(bearers[1]).not.toBe(`Bearer ${first}`);
      expect(res.body.data?.createConnectUrl.url).toContain(bearers[1]!.slice('Bearer '.length));
    });

    it.each([
      [{ type: 'status' as const, status: 500 }, 'COBALT_UNAVAILABLE'],
      [{ type: 'status' as const, status: 429 }, 'COBALT_RATE_LIMITED'],
      [{ type: 'malformed' as const, body: '{"hosted_url":"not a url"}' }, 'COBALT_BAD_RESPONSE'],
    ])('maps a Cobalt fault on connect-url (%j) to %s', async (fault, code) => {
      gw.emulator.addFault(fault, { path: CONNECT_URL_PATH });

      const res = await graphqlRequest(gw.url, CreateConnectUrlDocument, {
        token: await bearerFor(freshAccount(gw.emulator)),
        variables: { slug: 'slack' },
      });

      expect(res.body.errors?.[0]?.extensions?.['code']).toBe(code);
    });

    it('refuses two in one operation', async () => {
      const res = await rawGraphQLRequest(
        gw.url,
        {
          query: 'mutation { a: createConnectUrl(slug: "slack") { url } b: createConnectUrl(slug: "hubspot") { url } }',
        },
        { token: await bearerFor(freshAccount(gw.emulator)) },
      );

      expect(res.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(gw.emulator.received()).toHaveLength(0);
    });

    it('never writes the URL or its token to the logs', async () => {
      const res = await graphqlRequest(gw.url, CreateConnectUrlDocument, {
        token: await bearerFor(freshAccount(gw.emulator)),
        variables: { slug: 'freshdesk' },
      });
      const url = res.body.data!.createConnectUrl.url;
      const sessionToken = url.slice(url.lastIndexOf('/') + 1);

      const logs = gw.logs.text();
      expect(logs).not.toContain(url);
      expect(logs).not.toContain(sessionToken.split('.')[2]!);
      expect(logs).toContain('createConnectUrl');
    });
  });
});
