import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateSessionTokenDocument } from '../../client/generated/graphql';
import { signTestJwt } from '../support/jwt';
import { graphqlRequest } from '../support/graphql-request';
import { startTestRedis, type TestRedis } from '../support/redis-server';
import { startTestGateway, type TestGateway } from '../support/test-gateway';

const LINKED_ACCOUNT_PATH = '/api/v2/public/linked-account';
const SESSION_TOKEN_PATH = '/api/v2/public/session-token';

/** Two gateways sharing one Redis and one Cobalt, as behind a load balancer. */
describe('provisioning across instances sharing Redis', () => {
  let redis: TestRedis;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    redis = await startTestRedis();
    const env = {
      REDIS_URL: redis.url,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // Coordination, not Redis latency, is under test: a loaded machine must not expire the lock calls.
      REDIS_COMMAND_TIMEOUT_MS: '5000',
      COBALT_AUTO_PROVISION: 'true',
    };
    a = await startTestGateway({ env });
    b = await startTestGateway({ env, cobaltBaseUrl: a.emulator.url });
  }, 30_000);
  afterAll(async () => {
    await b.stop();
    await a.stop();
    await redis.stop();
  });

  it('upserts once for 20 concurrent first mints of a new account spread over both', async () => {
    const bearer = await signTestJwt({ sub: `new_shared_${process.pid}`, name: 'Shared' });
    // A slow upsert: without the shared flight, each instance would have met "No linked account
    // found" and upserted before the other's upsert landed.
    a.emulator.addFault({ type: 'latency', ms: 300 }, { path: LINKED_ACCOUNT_PATH, times: 1 });

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        graphqlRequest((i % 2 === 0 ? a : b).url, CreateSessionTokenDocument, { token: bearer }),
      ),
    );

    expect(results.every((r) => r.body.errors === undefined)).toBe(true);
    expect(a.emulator.received(LINKED_ACCOUNT_PATH)).toHaveLength(1);
    expect(a.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(2);
    expect(new Set(results.map((r) => r.body.data?.createSessionToken.token)).size).toBe(1);
    expect(b.emulator.received()).toHaveLength(0);
  });
});
