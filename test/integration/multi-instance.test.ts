import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateSessionTokenDocument } from '../../client/generated/graphql';
import { CobaltEmulator } from '../../src/cobalt/emulator/cobalt-emulator';
import { graphqlRequest } from '../support/graphql-request';
import { signTestJwt, TEST_JWT_SECRET } from '../support/jwt';
import { startTestRedis, type TestRedis } from '../support/redis-server';

const root = join(__dirname, '../..');
const mainJs = join(root, 'dist/main.js');
const API_KEY = 'tk_multi_instance_key';

interface Instance {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
}

function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, [mainJs], { cwd: root, env: { PATH: process.env['PATH'] ?? '', ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"url":"(http:[^"]+)"/.exec(out);
      if (match?.[1] !== undefined) resolve({ child, url: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`instance exited with ${String(code)}: ${out}`)));
  });
}

/** Three `node dist/main.js` processes sharing one Redis and one Cobalt, as behind a load balancer. */
describe('three gateway instances sharing Redis', () => {
  let redis: TestRedis;
  let emulator: CobaltEmulator;
  let instances: Instance[];

  beforeAll(async () => {
    if (!existsSync(mainJs)) execFileSync('npm', ['run', 'build'], { cwd: root });
    redis = await startTestRedis();
    emulator = await new CobaltEmulator({
      apiKeys: { [API_KEY]: { orgId: '63c93da0b46b7243785a1e17', environment: 'test' } },
      seedAccounts: [
        { accountId: 'shared-user' },
        ...Array.from({ length: 10 }, (_, i) => ({ accountId: `user-${i}` })),
      ],
    }).start();
    const env = {
      NODE_ENV: 'production',
      PORT: '0',
      COBALT_API_KEY: API_KEY,
      COBALT_BASE_URL: emulator.url,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      REDIS_URL: redis.url,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // This test is about coordination, not Redis latency: on a loaded CI machine a 300 ms command
      // timeout can expire, and the gateway then (by design) mints without the shared lock.
      REDIS_COMMAND_TIMEOUT_MS: '5000',
      // 1 000 mints from one IP in a burst: far past the production defaults, by design of the test.
      RATE_LIMIT_MINTS_PER_MINUTE: '1000000',
      RATE_LIMIT_IP_PER_MINUTE: '1000000',
    };
    instances = await Promise.all([startInstance(env), startInstance(env), startInstance(env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(
      instances.map(
        (instance) =>
          new Promise((resolve) => {
            instance.child.on('exit', resolve);
            instance.child.kill('SIGTERM');
          }),
      ),
    );
    await emulator.stop();
    await redis.stop();
  });

  it('makes exactly one Cobalt call for 150 concurrent mints of one account spread over them', async () => {
    emulator.addFault({ type: 'latency', ms: 300 }, { times: 1 });
    const bearer = await signTestJwt({ sub: 'shared-user' });

    const results = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        graphqlRequest(instances[i % 3]!.url, CreateSessionTokenDocument, { token: bearer }),
      ),
    );

    expect(emulator.received('/api/v2/public/session-token')).toHaveLength(1);
    const tokens = new Set(results.map((r) => r.body.data?.createSessionToken.token));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toEqual(expect.any(String));
  });

  it('makes one Cobalt call per account for 1 000 concurrent mints over 10 accounts', async () => {
    emulator.reset();
    emulator.addFault({ type: 'latency', ms: 200 }, { times: 10 });
    const bearers = await Promise.all(Array.from({ length: 10 }, (_, i) => signTestJwt({ sub: `user-${i}` })));

    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        graphqlRequest(instances[i % 3]!.url, CreateSessionTokenDocument, { token: bearers[i % 10]! }),
      ),
    );

    expect(results.every((r) => r.body.data?.createSessionToken !== undefined)).toBe(true);
    expect(emulator.received('/api/v2/public/session-token')).toHaveLength(10);
  }, 30_000);
});
