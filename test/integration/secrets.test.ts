import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateSessionTokenDocument } from '../../client/generated/graphql';
import type { EmulatorFault } from '../../src/cobalt/emulator/faults';
import { signTestJwt } from '../support/jwt';
import { graphqlRequest, rawGraphQLRequest } from '../support/graphql-request';
import { MINT_QUERY } from '../support/operations';
import { freshAccount, startTestGateway, TEST_API_KEY, type TestGateway } from '../support/test-gateway';

/**
 * The leak scan: drive the success path and every failure path at the most verbose log level, then
 * look for the API key, the bearer tokens and the minted session tokens in everything the gateway wrote.
 */
describe('secrets', () => {
  let gw: TestGateway;
  const responses: { text: string; minted?: string }[] = [];
  const bearers: string[] = [];
  const minted: string[] = [];

  beforeAll(async () => {
    // Retries stay on (their log lines are scanned too), inside a short overall deadline.
    gw = await startTestGateway({ logLevel: 'trace', env: { COBALT_TIMEOUT_MS: '300', COBALT_DEADLINE_MS: '1000' } });

    const faults: (EmulatorFault | null)[] = [
      null,
      { type: 'status', status: 401, message: 'Invalid Credentials' },
      { type: 'status', status: 500 },
      { type: 'status', status: 429, retryAfter: '3' },
      { type: 'status', status: 400, message: 'linked_account_id is required' },
      { type: 'reset' },
      { type: 'hang' },
      { type: 'malformed', body: '<html>oops</html>' },
      { type: 'redirect', location: 'http://127.0.0.1:9/steal' },
    ];
    for (const fault of faults) {
      gw.emulator.reset();
      if (fault !== null) gw.emulator.addFault(fault);
      const bearer = await signTestJwt({ sub: freshAccount(gw.emulator) });
      bearers.push(bearer);
      const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, { token: bearer });
      const token = res.body.data?.createSessionToken.token;
      if (token !== undefined) minted.push(token);
      responses.push({ text: JSON.stringify(res.body), ...(token !== undefined && { minted: token }) });
    }
    gw.emulator.reset();
    gw.emulator.settings.unknownAccountStyle = 'legacy-500';
    const unknown = await signTestJwt({ sub: 'user_99999' });
    bearers.push(unknown);
    responses.push({
      text: JSON.stringify((await graphqlRequest(gw.url, CreateSessionTokenDocument, { token: unknown })).body),
    });
    const expired = await signTestJwt({ sub: freshAccount(gw.emulator) }, { expiresIn: -3600 });
    bearers.push(expired);
    responses.push({
      text: JSON.stringify((await rawGraphQLRequest(gw.url, { query: MINT_QUERY }, { token: expired })).body),
    });
  }, 30_000);
  afterAll(async () => {
    await gw.stop();
  });

  it('exercised a success and every failure', () => {
    expect(minted).toHaveLength(1);
    expect(responses).toHaveLength(11);
    expect(gw.logs.lines.length).toBeGreaterThan(20);
  });

  it('never writes the API key, a bearer token or a session token to the logs, even at trace', () => {
    const logs = gw.logs.text();

    expect(logs).not.toContain(TEST_API_KEY);
    for (const secret of [...bearers, ...minted]) {
      expect(logs).not.toContain(secret);
      expect(logs).not.toContain(secret.split('.')[2]!);
    }
    expect(logs).not.toMatch(/x-api-key/i);
  });

  it('never puts the API key or upstream details in a response', () => {
    for (const { text } of responses) {
      expect(text).not.toContain(TEST_API_KEY);
      expect(text).not.toMatch(/x-api-key|stacktrace|ECONN|127\.0\.0\.1|Invalid Credentials|No linked account found/i);
    }
  });

  it('returns a session token only in the response to its own mint', () => {
    const carrying = responses.filter(({ text }) => minted.some((token) => text.includes(token)));

    expect(carrying).toHaveLength(1);
    expect(carrying[0]!.minted).toBe(minted[0]);
  });
});
