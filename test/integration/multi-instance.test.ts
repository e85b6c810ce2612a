import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CobaltEmulator } from '../../src/cobalt/emulator/cobalt-emulator';
import { ensureBuilt, runBuilt, waitFor, type Running } from '../support/built-process';
import { startEmulator } from '../support/emulator';
import { signTestJwt, TEST_JWT_SECRET } from '../support/jwt';
import { mintWithBearer } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { newEncryptionKey, startTestRedis, type TestRedis } from '../support/redis-server';

const API_KEY = 'tk_multi_instance_key';

interface Instance {
  readonly running: Running;
  readonly url: string;
}

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const running = runBuilt(env);
  return { running, url: (await waitFor(running, /"url":"(http:[^"]+)"/, 45_000))[1]! };
}

/** Three `node dist/main.js` processes sharing one Redis and one Cobalt, as behind a load balancer. */
describe('three gateway instances sharing Redis', () => {
  let redis: TestRedis;
  let emulator: CobaltEmulator;
  let instances: Instance[];

  beforeAll(async () => {
    ensureBuilt();
    redis = await startTestRedis();
    emulator = await startEmulator(API_KEY, ['shared-user', ...Array.from({ length: 10 }, (_, i) => `user-${i}`)]);
    const env = {
      NODE_ENV: 'production',
      PORT: '0',
      COBALT_API_KEY: API_KEY,
      COBALT_BASE_URL: emulator.url,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      REDIS_URL: redis.url,
      TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
      // This test is about coordination, not Redis latency: on a loaded CI machine a 300 ms command
      // timeout can expire, and the gateway then (by design) mints without the shared lock.
      REDIS_COMMAND_TIMEOUT_MS: '5000',
      // 1 000 mints from one IP in a burst: far past the production defaults, by design of the test.
      RATE_LIMIT_MINTS_PER_MINUTE: '1000000',
      RATE_LIMIT_IP_PER_MINUTE: '1000000',
      // Coordination, not load shedding, is under test: every request of the burst must be admitted.
      OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
      OVERLOAD_MAX_IN_FLIGHT: '0',
    };
    instances = await Promise.all([startInstance(env), startInstance(env), startInstance(env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(
      instances.map(({ running }) => {
        running.child.kill('SIGTERM');
        return running.exited;
      }),
    );
    await emulator.stop();
    await redis.stop();
  });

  it('makes exactly one Cobalt call for 150 concurrent mints of one account spread over them', async () => {
    emulator.addFault({ type: 'latency', ms: 300 }, { times: 1 });
    const bearer = await signTestJwt({ sub: 'shared-user' });

    const results = await Promise.all(
      Array.from({ length: 150 }, (_, i) => mintWithBearer(instances[i % 3]!.url, bearer)),
    );

    expect(emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);
    const tokens = new Set(results.map((r) => r.data?.token));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toEqual(expect.any(String));
  });

  it('makes one Cobalt call per account for 1 000 concurrent mints over 10 accounts', async () => {
    emulator.reset();
    emulator.addFault({ type: 'latency', ms: 200 }, { times: 10 });
    const bearers = await Promise.all(Array.from({ length: 10 }, (_, i) => signTestJwt({ sub: `user-${i}` })));

    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => mintWithBearer(instances[i % 3]!.url, bearers[i % 10]!)),
    );

    expect(results.every((r) => r.data !== undefined)).toBe(true);
    expect(emulator.received(SESSION_TOKEN_PATH)).toHaveLength(10);
  }, 30_000);
});
