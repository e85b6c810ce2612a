import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateConnectUrlDocument,
  IntegrationsDocument,
  RevokeSessionTokenDocument,
} from '../../client/generated/graphql';
import { startGatewayPairOn } from '../support/gateway-pair';
import { graphqlRequest } from '../support/graphql-request';
import { signTestJwt } from '../support/jwt';
import { mintOnOwnConnection } from '../support/mint';
import { APPLICATIONS_PATH, SESSION_TOKEN_PATH } from '../support/operations';
import { cacheEvents } from '../support/probes';
import {
  connectDirect,
  GATEWAY_ACL_RULES,
  GATEWAY_PASSWORD,
  GATEWAY_USER,
  startTestCluster,
  type TestCluster,
} from '../support/redis-topologies';
import { newEncryptionKey } from '../support/redis-server';
import { freshAccount, type TestGateway } from '../support/test-gateway';
import { until } from '../support/wait';

/** Two gateways on a 3-master Redis Cluster, logged in as the ACL user the operations guide documents. */
describe('two gateways on a Redis Cluster, as the restricted ACL user', () => {
  let cluster: TestCluster;
  let a: TestGateway;
  let b: TestGateway;
  let stopPair: () => Promise<void>;

  beforeAll(async () => {
    cluster = await startTestCluster();
    const pair = await startGatewayPairOn({
      REDIS_CLUSTER_NODES: cluster.nodes,
      REDIS_USERNAME: GATEWAY_USER,
      REDIS_PASSWORD: GATEWAY_PASSWORD,
      INTEGRATIONS_CACHE_TTL_S: '300',
      // Coordination under a burst is what this tests, not load shedding: a loaded machine must not
      // answer part of the burst OVERLOADED.
      OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
      OVERLOAD_MAX_IN_FLIGHT: '0',
      // A former key gives every account a second name, on another slot: a revoke deletes both.
      TOKEN_ENCRYPTION_KEYS_OLD: newEncryptionKey(),
    });
    ({ a, b } = pair);
    stopPair = () => pair.stop();
  }, 30_000);
  afterAll(async () => {
    await stopPair();
    await cluster.stop();
  });

  /** No Redis warning in either gateway's log: a refused or cross-slot command would have left one. */
  function redisWarnings(): unknown[] {
    return [...a.logs.parsed(), ...b.logs.parsed()].filter((line) => line['store'] === 'redis');
  }

  it('makes 1 Cobalt call for 200 concurrent first mints of one account over both instances', async () => {
    const account = freshAccount(a.emulator);
    const bearer = await signTestJwt({ sub: account });
    a.emulator.addFault({ type: 'latency', ms: 300 }, { times: 1 });

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => mintOnOwnConnection(i % 2 === 0 ? a : b, bearer)),
    );

    expect(results.filter((r) => r.data === undefined)).toEqual([]);
    expect(new Set(results.map((r) => r.data?.token)).size).toBe(1);
    expect(a.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);
    expect(b.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(0);
    expect(redisWarnings()).toEqual([]);
  });

  it('makes 10 Cobalt calls for 1 000 concurrent mints over 10 accounts, with nothing raw on any node', async () => {
    a.emulator.reset();
    const accounts = Array.from({ length: 10 }, () => freshAccount(a.emulator));
    const bearers = await Promise.all(accounts.map((account) => signTestJwt({ sub: account })));
    a.emulator.addFault({ type: 'latency', ms: 200 }, { times: 10 });

    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => mintOnOwnConnection(i % 2 === 0 ? a : b, bearers[i % 10]!)),
    );

    expect(results.filter((r) => r.data === undefined)).toEqual([]);
    expect(a.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(10);
    expect(redisWarnings()).toEqual([]);
    const stored = await cluster.dump();
    // These 10 and the previous test's account; spread over the masters, so slots were exercised.
    const tokens = stored.filter(({ key }) => key.includes(':tok:'));
    expect(tokens).toHaveLength(11);
    expect(new Set(tokens.map(({ port }) => port)).size).toBeGreaterThan(1);
    const raw = [...accounts, ...new Set(results.map((r) => r.data!.token))];
    for (const { key, value } of stored) {
      for (const secret of raw) {
        expect(key).not.toContain(secret);
        expect(value).not.toContain(secret);
      }
    }
  }, 30_000);

  it('shares and clears the integrations list (a two-key script and a MULTI) on one slot', async () => {
    const account = freshAccount(a.emulator);
    const token = await signTestJwt({ sub: account });
    const loads = () =>
      a.emulator.received(APPLICATIONS_PATH).filter((r) => r.headers['linked_account_id'] === account);

    await graphqlRequest(b.url, IntegrationsDocument, { token });
    await graphqlRequest(a.url, IntegrationsDocument, { token });
    expect(loads()).toHaveLength(1);

    await graphqlRequest(a.url, CreateConnectUrlDocument, { token, variables: { slug: 'slack' } });
    a.emulator.connectApplication(account, 'slack');
    const after = await graphqlRequest(b.url, IntegrationsDocument, { token });

    expect(after.body.data?.integrations.find((i) => i.slug === 'slack')?.connected).toBe(true);
    expect(loads()).toHaveLength(2);
    expect(redisWarnings()).toEqual([]);
  });

  it('revokes a token under its current and former names, which live on different slots', async () => {
    const account = freshAccount(a.emulator);
    const cached = await mintOnOwnConnection(a, await signTestJwt({ sub: account }));
    const invalidationsBefore = await cacheEvents(a, 'l1Invalidations');

    const revoked = await graphqlRequest(b.url, RevokeSessionTokenDocument, {
      token: await signTestJwt({ sub: account }),
    });
    // a holds the token in process memory until b's announcement reaches it (pub/sub, asynchronous).
    await until(async () => (await cacheEvents(a, 'l1Invalidations')) > invalidationsBefore, {
      what: "the revoke's announcement at a",
    });
    const again = await mintOnOwnConnection(a, await signTestJwt({ sub: account }));

    expect(revoked.body.data).toEqual({ revokeSessionToken: true });
    expect(again.data?.token).not.toBe(cached.data?.token);
    expect(redisWarnings()).toEqual([]);
  });

  it('runs as exactly the ACL line docs/operations.md gives operators', () => {
    const documented = readFileSync('docs/operations.md', 'utf8');

    expect(documented).toContain(`ACL SETUSER cgw on >PASSWORD ${GATEWAY_ACL_RULES.join(' ')}\n`);
  });

  it('was refused nothing as that user by any node (ACL LOG)', async () => {
    for (const port of cluster.ports) {
      const node = await connectDirect(port);
      try {
        expect(await node.call('ACL', 'LOG')).toEqual([]);
      } finally {
        node.disconnect();
      }
    }
  });

  it('is refused, as that user, every command and key outside what the gateway needs', async () => {
    const client = await connectDirect(cluster.ports[0]!, { username: GATEWAY_USER, password: GATEWAY_PASSWORD });
    try {
      for (const refused of [
        () => client.call('FLUSHALL'),
        () => client.call('FLUSHDB'),
        () => client.call('SCAN', '0'),
        () => client.call('KEYS', 'cgw:*'),
        () => client.call('CONFIG', 'GET', 'requirepass'),
        () => client.call('GET', 'other-app:key'),
        () => client.call('PUBLISH', 'other-channel', 'x'),
      ]) {
        await expect(refused()).rejects.toThrow(/NOPERM/);
      }
      await expect(client.call('GET', 'cgw:v1:anything')).resolves.toBeNull();
    } finally {
      client.disconnect();
    }
  });
});
