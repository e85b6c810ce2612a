import { afterEach, describe, expect, it } from '@jest/globals';
import {
  CreateSessionTokenDocument,
  IntegrationsDocument,
  UpsertLinkedAccountDocument,
} from '../../client/generated/graphql';
import { signTestJwt } from '../support/jwt';
import { graphqlRequest, rawGraphQLRequest } from '../support/graphql-request';
import { APPLICATIONS_PATH, LINKED_ACCOUNT_PATH, SESSION_TOKEN_PATH } from '../support/operations';
import { useTestGateway } from '../support/use-test-gateway';

let counter = 0;
/** An account id nobody has created at Cobalt yet. */
const newUser = () => `new_${process.pid}_${(counter += 1)}`;

describe('provisioning the linked account', () => {
  describe('with COBALT_AUTO_PROVISION off (the default)', () => {
    const gw = useTestGateway();

    it('answers LINKED_ACCOUNT_NOT_FOUND for a new user and creates nothing at Cobalt', async () => {
      const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, {
        token: await signTestJwt({ sub: newUser(), name: 'Ada' }),
      });

      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'LINKED_ACCOUNT_NOT_FOUND', retryable: false });
      expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);
      expect(gw.emulator.received(LINKED_ACCOUNT_PATH)).toHaveLength(0);
    });
  });

  describe('with COBALT_AUTO_PROVISION on', () => {
    const gw = useTestGateway({
      env: {
        COBALT_AUTO_PROVISION: 'true',
        AUTH_NAME_CLAIM: 'display_name',
        AUTH_UDF_CLAIMS: 'plan,tenant=https://acme.example/tenant,seats,beta,bad',
      },
    });
    afterEach(() => {
      gw.emulator.reset();
    });

    it('creates the account with the name and fields of the token, then mints', async () => {
      const account = newUser();
      const bearer = await signTestJwt({
        sub: account,
        display_name: 'Ada Lovelace',
        plan: 'pro',
        'https://acme.example/tenant': 'acme',
        seats: 12,
        beta: true,
        bad: 'line\nbreak',
      });

      const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, { token: bearer });

      expect(res.body.errors).toBeUndefined();
      expect(res.body.data?.createSessionToken.linkedAccountId).toBe(account);
      const upserts = gw.emulator.received(LINKED_ACCOUNT_PATH);
      expect(upserts.map((r) => r.method)).toEqual(['PUT']);
      expect(JSON.parse(upserts[0]!.body)).toEqual({
        linked_account_id: account,
        name: 'Ada Lovelace',
        udf: { plan: 'pro', tenant: 'acme', seats: '12', beta: 'true' },
      });
      expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(2);
      const stored = gw.emulator.linkedAccount(account);
      expect(stored?.name).toBe('Ada Lovelace');
      expect(stored?.udf.map((u) => [u.key_name, u.key_value])).toEqual([
        ['plan', 'pro'],
        ['tenant', 'acme'],
        ['seats', '12'],
        ['beta', 'true'],
      ]);
    });

    it('upserts once for 20 concurrent first mints of a new account, and all get the same token', async () => {
      const bearer = await signTestJwt({ sub: newUser(), display_name: 'Grace' });
      gw.emulator.addFault({ type: 'latency', ms: 150 }, { path: LINKED_ACCOUNT_PATH, times: 1 });

      const results = await Promise.all(
        Array.from({ length: 20 }, () => graphqlRequest(gw.url, CreateSessionTokenDocument, { token: bearer })),
      );

      expect(gw.emulator.received(LINKED_ACCOUNT_PATH)).toHaveLength(1);
      expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(2);
      expect(results.every((r) => r.body.errors === undefined)).toBe(true);
      expect(new Set(results.map((r) => r.body.data?.createSessionToken.token)).size).toBe(1);
    });

    it('does not upsert an account Cobalt already knows', async () => {
      const account = newUser();
      gw.emulator.addLinkedAccount(account);

      const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, {
        token: await signTestJwt({ sub: account }),
      });

      expect(res.body.data?.createSessionToken.linkedAccountId).toBe(account);
      expect(gw.emulator.received(LINKED_ACCOUNT_PATH)).toHaveLength(0);
    });

    it('reports a failed upsert with its own code and does not mint again', async () => {
      gw.emulator.addFault(
        { type: 'status', status: 401, message: 'Invalid Credentials' },
        { path: LINKED_ACCOUNT_PATH },
      );

      const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, {
        token: await signTestJwt({ sub: newUser() }),
      });

      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'COBALT_AUTH_FAILED', retryable: false });
      expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);
    });

    it('provisions without a name when the name claim is not text', async () => {
      const account = newUser();

      const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, {
        token: await signTestJwt({ sub: account, display_name: 42 }),
      });

      expect(res.body.errors).toBeUndefined();
      expect(JSON.parse(gw.emulator.received(LINKED_ACCOUNT_PATH)[0]!.body)).toEqual({ linked_account_id: account });
    });
  });
});

describe('upsertLinkedAccount', () => {
  // One attempt: the fault tests are about the mapping, retries have their own tests.
  const gw = useTestGateway({ env: { COBALT_MAX_RETRIES: '0' } });
  afterEach(() => {
    gw.emulator.reset();
  });

  it("creates the signed-in user's account and returns it as Cobalt stores it", async () => {
    const account = newUser();

    const res = await graphqlRequest(gw.url, UpsertLinkedAccountDocument, {
      token: await signTestJwt({ sub: account }),
      variables: { input: { name: 'Ada', udf: [{ key: 'plan', value: 'pro' }] } },
    });

    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.upsertLinkedAccount).toEqual({
      accountId: account,
      name: 'Ada',
      environment: 'test',
      udf: [{ key: 'plan', value: 'pro' }],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const sent = gw.emulator.received(LINKED_ACCOUNT_PATH);
    expect(sent.map((r) => r.method)).toEqual(['PUT']);
    expect(JSON.parse(sent[0]!.body)).toEqual({ linked_account_id: account, name: 'Ada', udf: { plan: 'pro' } });
    // With provisioning off, the account now mints.
    const mint = await graphqlRequest(gw.url, CreateSessionTokenDocument, {
      token: await signTestJwt({ sub: account }),
    });
    expect(mint.body.data?.createSessionToken.linkedAccountId).toBe(account);
  });

  it('merges fields by name and keeps the name when it is left out', async () => {
    const token = await signTestJwt({ sub: newUser() });
    await graphqlRequest(gw.url, UpsertLinkedAccountDocument, {
      token,
      variables: {
        input: {
          name: 'Ada',
          udf: [
            { key: 'plan', value: 'free' },
            { key: 'region', value: 'eu' },
          ],
        },
      },
    });

    const res = await graphqlRequest(gw.url, UpsertLinkedAccountDocument, {
      token,
      variables: { input: { udf: [{ key: 'plan', value: 'pro' }] } },
    });

    expect(res.body.data?.upsertLinkedAccount.name).toBe('Ada');
    expect(res.body.data?.upsertLinkedAccount.udf).toEqual([
      { key: 'plan', value: 'pro' },
      { key: 'region', value: 'eu' },
    ]);
  });

  it('never takes the account from the input: an accountId field is refused by the schema', async () => {
    const res = await rawGraphQLRequest(
      gw.url,
      { query: 'mutation { upsertLinkedAccount(input: { name: "x", accountId: "someone_else" }) { accountId } }' },
      { token: await signTestJwt({ sub: newUser() }) },
    );

    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(gw.emulator.received(LINKED_ACCOUNT_PATH)).toHaveLength(0);
  });

  it('refuses two upserts in one operation', async () => {
    const res = await rawGraphQLRequest(
      gw.url,
      {
        query:
          'mutation { a: upsertLinkedAccount(input: { name: "x" }) { accountId } b: upsertLinkedAccount(input: { name: "y" }) { accountId } }',
      },
      { token: await signTestJwt({ sub: newUser() }) },
    );

    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(gw.emulator.received(LINKED_ACCOUNT_PATH)).toHaveLength(0);
  });

  it.each([
    ['a name with a newline', { name: 'Ada\nAdmin' }],
    ['a blank name', { name: '   ' }],
    ['a name over 256 characters', { name: 'a'.repeat(257) }],
    ['a key with a space', { udf: [{ key: 'my plan', value: 'x' }] }],
    [
      'a duplicate key',
      {
        udf: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      },
    ],
    ['a value with a NUL', { udf: [{ key: 'a', value: 'x\u0000y' }] }],
    ['51 fields', { udf: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }],
  ])('answers BAD_USER_INPUT for %s without calling Cobalt', async (_label, input) => {
    const res = await graphqlRequest(gw.url, UpsertLinkedAccountDocument, {
      token: await signTestJwt({ sub: newUser() }),
      variables: { input },
    });

    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', retryable: false });
    expect(gw.emulator.received(LINKED_ACCOUNT_PATH)).toHaveLength(0);
  });

  it('answers UNAUTHENTICATED without a bearer token', async () => {
    const res = await graphqlRequest(gw.url, UpsertLinkedAccountDocument, { variables: { input: { name: 'x' } } });

    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(gw.emulator.received(LINKED_ACCOUNT_PATH)).toHaveLength(0);
  });

  it.each([
    [{ type: 'status' as const, status: 500 }, 'COBALT_UNAVAILABLE'],
    [{ type: 'status' as const, status: 429, retryAfter: '4' }, 'COBALT_RATE_LIMITED'],
    [{ type: 'status' as const, status: 401, message: 'Invalid Credentials' }, 'COBALT_AUTH_FAILED'],
    [{ type: 'malformed' as const, body: '{"account_id": 7}' }, 'COBALT_BAD_RESPONSE'],
    [{ type: 'malformed' as const, body: '<html>' }, 'COBALT_BAD_RESPONSE'],
  ])('maps a Cobalt fault (%j) to %s', async (fault, code) => {
    gw.emulator.addFault(fault, { path: LINKED_ACCOUNT_PATH });

    const res = await graphqlRequest(gw.url, UpsertLinkedAccountDocument, {
      token: await signTestJwt({ sub: newUser() }),
      variables: { input: { name: 'x' } },
    });

    expect(res.body.errors?.[0]?.extensions?.['code']).toBe(code);
  });

  it("clears the user's cached integrations", async () => {
    const token = await signTestJwt({ sub: newUser() });
    await graphqlRequest(gw.url, UpsertLinkedAccountDocument, { token, variables: { input: { name: 'Ada' } } });
    await graphqlRequest(gw.url, IntegrationsDocument, { token });
    await graphqlRequest(gw.url, IntegrationsDocument, { token });
    expect(gw.emulator.received(APPLICATIONS_PATH)).toHaveLength(1);

    await graphqlRequest(gw.url, UpsertLinkedAccountDocument, { token, variables: { input: { name: 'Ada L.' } } });
    await graphqlRequest(gw.url, IntegrationsDocument, { token });

    expect(gw.emulator.received(APPLICATIONS_PATH)).toHaveLength(2);
  });
});
