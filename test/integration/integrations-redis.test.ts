import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { CreateConnectUrlDocument, IntegrationsDocument } from '../../client/generated/graphql';
import { useGatewayPair } from '../support/gateway-pair';
import { signTestJwt } from '../support/jwt';
import { graphqlRequest } from '../support/graphql-request';
import { APPLICATIONS_PATH } from '../support/operations';
import { connectInspector } from '../support/redis-server';
import { freshAccount } from '../support/test-gateway';

/** Two gateways sharing one Redis and one Cobalt: the integrations cache is theirs to share. */
describe('the integrations cache in Redis', () => {
  const pair = useGatewayPair({ INTEGRATIONS_CACHE_TTL_S: '300' });
  let inspect: Redis;

  beforeAll(async () => {
    inspect = await connectInspector(pair.redis.url);
  });
  afterAll(() => {
    inspect.disconnect();
  });

  it('serves one instance the list another loaded, sealed at rest', async () => {
    const { a, b } = pair;
    const account = freshAccount(a.emulator);
    a.emulator.connectApplication(account, 'hubspot');
    const token = await signTestJwt({ sub: account });

    const first = await graphqlRequest(a.url, IntegrationsDocument, { token });
    const second = await graphqlRequest(b.url, IntegrationsDocument, { token });

    expect(second.body).toEqual(first.body);
    expect(second.body.data?.integrations.find((i) => i.slug === 'hubspot')?.connectedAccounts).toEqual([
      { identifier: 'hubspot-workspace', status: 'ACTIVE', connectedAt: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(a.emulator.received(APPLICATIONS_PATH)).toHaveLength(1);
    const keys = await inspect.keys('cgw:v1:apps:*');
    expect(keys).toHaveLength(1);
    const stored = (await inspect.get(keys[0]!)) ?? '';
    for (const plain of [account, 'hubspot-workspace', 'HubSpot']) {
      expect(keys[0]).not.toContain(plain);
      expect(stored).not.toContain(plain);
    }
    expect(await inspect.pttl(keys[0]!)).toBeGreaterThan(290_000);
  });

  it('clears the list on every instance when one of them creates a connect URL', async () => {
    const { a, b } = pair;
    const account = freshAccount(a.emulator);
    const token = await signTestJwt({ sub: account });
    await graphqlRequest(b.url, IntegrationsDocument, { token });

    await graphqlRequest(a.url, CreateConnectUrlDocument, { token, variables: { slug: 'slack' } });
    a.emulator.connectApplication(account, 'slack');
    const after = await graphqlRequest(b.url, IntegrationsDocument, { token });

    expect(after.body.data?.integrations.find((i) => i.slug === 'slack')?.connected).toBe(true);
    // One load by b, none for the connect (a read b's list from Redis), one after the invalidation.
    expect(
      a.emulator.received(APPLICATIONS_PATH).filter((r) => r.headers['linked_account_id'] === account),
    ).toHaveLength(2);
  });
});
