import { describe, expect, it } from '@jest/globals';
import { signTestJwt } from '../support/jwt';
import { KNOWN_ACCOUNT } from '../support/test-gateway';
import { useTestGateway } from '../support/use-test-gateway';

/**
 * What docs/frontend.md tells frontend developers about GET and POST: urql sends short queries as GET
 * (its `preferGetMethod` default), which the gateway's CSRF prevention refuses unless a preflight header
 * is present; `preferGetMethod: false` makes it POST with a JSON body, which is accepted.
 */
describe('GET vs POST from a frontend client', () => {
  const gw = useTestGateway();
  const query = '{ __typename }';

  async function headers(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await signTestJwt({ sub: KNOWN_ACCOUNT }, { clock: gw.clock })}`, ...extra };
  }

  it('refuses a GET query without a preflight header with a 400 (urql by default)', async () => {
    const res = await fetch(`${gw.url}?query=${encodeURIComponent(query)}`, {
      headers: { ...(await headers()), accept: 'application/graphql-response+json, application/json' },
    });

    expect(res.status).toBe(400);
  });

  it('answers the same GET query when it carries apollo-require-preflight', async () => {
    const res = await fetch(`${gw.url}?query=${encodeURIComponent(query)}`, {
      headers: await headers({ 'apollo-require-preflight': 'true', accept: 'application/json' }),
    });

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers the query as a JSON POST (urql with preferGetMethod: false, Apollo Client, graphql-request)', async () => {
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: await headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ query }),
    });

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
