import { afterEach, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { CreateSessionTokenDocument, ViewerDocument } from '../../client/generated/graphql';
import { signTestJwt } from '../support/jwt';
import { graphqlRequest, rawGraphQLRequest } from '../support/graphql-request';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { freshAccount, KNOWN_ACCOUNT, startTestGateway, TEST_API_KEY } from '../support/test-gateway';
import { useTestGateway } from '../support/use-test-gateway';

describe('createSessionToken', () => {
  const gw = useTestGateway();
  afterEach(() => {
    gw.emulator.reset();
    Object.assign(gw.emulator.settings, { responseShape: 'current', tokenTtlSeconds: 72 * 3600 });
  });

  it("mints a token for the bearer token's linked account and sends Cobalt the API key", async () => {
    const bearer = await signTestJwt({ sub: KNOWN_ACCOUNT });

    const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, { token: bearer });

    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const minted = res.body.data!.createSessionToken;
    expect(minted.linkedAccountId).toBe(KNOWN_ACCOUNT);
    const claims = decodeJwt(minted.token);
    expect(claims['linked_account_id']).toBe(KNOWN_ACCOUNT);
    expect(new Date(minted.expiresAt).getTime()).toBe(claims.exp! * 1000);
    const calls = gw.emulator.received(SESSION_TOKEN_PATH);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.headers['x-api-key']).toBe(TEST_API_KEY);
    expect(JSON.parse(calls[0]!.body)).toEqual({ linked_account_id: KNOWN_ACCOUNT });
  });

  it('answers with Cache-Control: no-store and echoes a well-formed x-request-id', async () => {
    const bearer = await signTestJwt({ sub: KNOWN_ACCOUNT });

    const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, {
      token: bearer,
      headers: { 'x-request-id': 'req-abc.123' },
    });

    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-request-id')).toBe('req-abc.123');
  });

  it('replaces a malformed x-request-id with a generated one', async () => {
    const res = await rawGraphQLRequest(
      gw.url,
      { query: '{ __typename }' },
      { headers: { 'x-request-id': 'bad id\t<script>' } },
    );

    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['72 h, as in Cobalt samples', 72 * 3600],
    ['24 h, as the guide says', 24 * 3600],
    ['7 days, as newer docs say', 7 * 24 * 3600],
    ['90 seconds', 90],
  ])('reads expiresAt from the token when Cobalt mints for %s', async (_label, ttl) => {
    gw.emulator.settings.tokenTtlSeconds = ttl;
    const before = Date.now();

    const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, {
      token: await signTestJwt({ sub: freshAccount(gw.emulator) }),
    });

    const expiresAt = new Date(res.body.data!.createSessionToken.expiresAt).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + ttl * 1000);
    expect(expiresAt).toBeLessThanOrEqual(before + ttl * 1000 + 2000);
  });

  it("accepts Cobalt's legacy { token } answer and dates it from the exp claim", async () => {
    gw.emulator.settings.responseShape = 'legacy';

    const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, {
      token: await signTestJwt({ sub: freshAccount(gw.emulator) }),
    });

    const minted = res.body.data!.createSessionToken;
    expect(new Date(minted.expiresAt).getTime()).toBe(decodeJwt(minted.token).exp! * 1000);
  });

  it('takes the linked account from a configured claim', async () => {
    const custom = await startTestGateway({ env: { AUTH_LINKED_ACCOUNT_CLAIM: 'cobalt_account' } });
    try {
      const bearer = await signTestJwt({ sub: 'idp-user-1', cobalt_account: KNOWN_ACCOUNT });

      const res = await graphqlRequest(custom.url, CreateSessionTokenDocument, { token: bearer });

      expect(res.body.data!.createSessionToken.linkedAccountId).toBe(KNOWN_ACCOUNT);
      expect(JSON.parse(custom.emulator.received(SESSION_TOKEN_PATH)[0]!.body)).toEqual({
        linked_account_id: KNOWN_ACCOUNT,
      });
    } finally {
      await custom.stop();
    }
  });

  it('refuses any argument that tries to choose the account, without calling Cobalt', async () => {
    const bearer = await signTestJwt({ sub: KNOWN_ACCOUNT });

    const res = await rawGraphQLRequest(
      gw.url,
      { query: 'mutation { createSessionToken(linkedAccountId: "someone-else") { token } }' },
      { token: bearer },
    );

    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', retryable: false });
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(0);
  });
});

describe('viewer', () => {
  const gw = useTestGateway();

  it('returns the linked account of the bearer token', async () => {
    const res = await graphqlRequest(gw.url, ViewerDocument, { token: await signTestJwt({ sub: 'someone' }) });

    expect(res.body.data).toEqual({ viewer: { linkedAccountId: 'someone' } });
  });

  it('lets anonymous requests run public fields and refuses protected ones', async () => {
    const open = await rawGraphQLRequest(gw.url, { query: '{ __typename }' });
    const closed = await graphqlRequest(gw.url, ViewerDocument);

    expect(open.body).toEqual({ data: { __typename: 'Query' } });
    expect(closed.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', retryable: false });
  });
});
