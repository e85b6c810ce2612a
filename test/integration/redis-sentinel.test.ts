import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signTestJwt } from '../support/jwt';
import { mintOnOwnConnection, type Minted } from '../support/mint';
import { startGatewayPairOn } from '../support/gateway-pair';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { readiness } from '../support/probes';
import {
  connectDirect,
  GATEWAY_PASSWORD,
  GATEWAY_USER,
  SENTINEL_PASSWORD,
  startTestSentinel,
  type TestSentinel,
} from '../support/redis-topologies';
import { assertNoSecretsIn, freshAccount, type TestGateway } from '../support/test-gateway';
import { until } from '../support/wait';

const FLIGHTS_CHANNEL = 'cgw:v1:flights';

/**
 * A primary, a replica and three sentinels with a password of their own; two gateways find the master
 * through the sentinels and log into it as the ACL user.
 */
describe('two gateways on Redis Sentinel through a failover', () => {
  let sentinel: TestSentinel;
  let a: TestGateway;
  let b: TestGateway;
  let stopPair: () => Promise<void>;

  beforeAll(async () => {
    sentinel = await startTestSentinel();
    const pair = await startGatewayPairOn({
      REDIS_SENTINELS: sentinel.sentinels,
      REDIS_SENTINEL_NAME: sentinel.name,
      REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
      // Coordination under a burst is what this tests, not load shedding: a loaded machine must not
      // answer part of the burst OVERLOADED.
      OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
      OVERLOAD_MAX_IN_FLIGHT: '0',
      REDIS_USERNAME: GATEWAY_USER,
      REDIS_PASSWORD: GATEWAY_PASSWORD,
    });
    ({ a, b } = pair);
    stopPair = () => pair.stop();
  }, 30_000);
  afterAll(async () => {
    await stopPair();
    await sentinel.stop();
    // Through reconnections and a failover, neither password reached a log line.
    for (const gateway of [a, b]) assertNoSecretsIn(gateway.logs.text(), [GATEWAY_PASSWORD, SENTINEL_PASSWORD]);
  });

  /** `count` concurrent first mints of one fresh account, alternating instances. */
  async function concurrentFirstMints(count: number): Promise<{ results: Minted[]; calls: number }> {
    const account = freshAccount(a.emulator);
    const bearer = await signTestJwt({ sub: account });
    a.emulator.addFault({ type: 'latency', ms: 200 }, { times: 1 });
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) => mintOnOwnConnection(i % 2 === 0 ? a : b, bearer)),
    );
    const calls = a.emulator
      .received(SESSION_TOKEN_PATH)
      .filter((r) => (JSON.parse(r.body) as { linked_account_id: string }).linked_account_id === account).length;
    return { results, calls };
  }

  /** Both gateways' subscribers are on the master the sentinels name, and their commands work. */
  async function bothOnMaster(): Promise<boolean> {
    const master = await connectDirect(await sentinel.masterPort());
    try {
      const [, subscribers] = (await master.call('PUBSUB', 'NUMSUB', FLIGHTS_CHANNEL)) as [string, number];
      const ready = await Promise.all([a, b].map(async (gw) => (await readiness(gw)).checks?.['tokenCache']));
      return subscribers === 2 && ready.every((check) => check === 'redis:ok');
    } finally {
      master.disconnect();
    }
  }

  it('shares single flight before the failover', async () => {
    const { results, calls } = await concurrentFirstMints(20);

    expect(results.filter((r) => r.data === undefined)).toEqual([]);
    expect(calls).toBe(1);
  });

  it('fails no mint while the master fails over, and shares single flight again after it', async () => {
    const before = await sentinel.masterPort();
    const bearers = await Promise.all(Array.from({ length: 40 }, () => signTestJwt({ sub: freshAccount(a.emulator) })));
    let failingOver = true;
    const results: Minted[] = [];
    // Four clients minting fresh accounts (each on both instances at once) until the failover is over.
    const load = Array.from({ length: 4 }, async (_, worker) => {
      for (let round = 0; failingOver || round < 2; round += 1) {
        const bearer = bearers[(worker + 4 * round) % bearers.length]!;
        results.push(...(await Promise.all([mintOnOwnConnection(a, bearer), mintOnOwnConnection(b, bearer)])));
      }
    });

    await until(() => results.length >= 8, { what: 'load under way' });
    await sentinel.failover();
    failingOver = false;
    await Promise.all(load);

    expect(await sentinel.masterPort()).not.toBe(before);
    expect(results.filter((r) => r.data === undefined).map((r) => r.error?.extensions?.['code'])).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(16);

    await until(bothOnMaster, { what: 'both gateways back on the new master', timeoutMs: 20_000 });
    const after = await concurrentFirstMints(20);
    expect(after.results.filter((r) => r.data === undefined)).toEqual([]);
    expect(after.calls).toBe(1);
  }, 45_000);

  it('was refused nothing as the ACL user by either data node (ACL LOG)', async () => {
    for (const port of sentinel.dataPorts) {
      const node = await connectDirect(port);
      try {
        expect(await node.call('ACL', 'LOG')).toEqual([]);
      } finally {
        node.disconnect();
      }
    }
  });
});
