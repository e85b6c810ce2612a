import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateSessionTokenDocument } from '../../client/generated/graphql';
import { CobaltEmulator } from '../../src/cobalt/emulator/cobalt-emulator';
import { mainJs, root, runBuilt, waitFor, type Running } from '../support/built-process';
import { graphqlRequest } from '../support/graphql-request';
import { signTestJwt, TEST_JWT_SECRET } from '../support/jwt';
import { startTestRedis, type TestRedis } from '../support/redis-server';

const API_KEY = 'tk_shutdown_test_key';
const ACCOUNTS = Array.from({ length: 20 }, (_, i) => `shutdown-user-${i}`);

/** SIGTERM as a deploy sends it: the built server, under load, with Redis configured. */
describe('graceful shutdown (node dist/main.js)', () => {
  let emulator: CobaltEmulator;
  let redis: TestRedis;
  let running: Running | undefined;

  beforeAll(async () => {
    if (!existsSync(mainJs)) execFileSync('npm', ['run', 'build'], { cwd: root });
    emulator = await new CobaltEmulator({
      apiKeys: { [API_KEY]: { orgId: '63c93da0b46b7243785a1e17', environment: 'test' } },
      seedAccounts: ACCOUNTS.map((accountId) => ({ accountId })),
    }).start();
    redis = await startTestRedis();
  }, 120_000);
  afterAll(async () => {
    await emulator.stop();
    await redis.stop();
  });
  afterEach(async () => {
    emulator.reset();
    if (running !== undefined && running.child.exitCode === null) running.child.kill('SIGKILL');
    await running?.exited;
  });

  async function start(env: Record<string, string>): Promise<string> {
    running = runBuilt({
      PORT: '0',
      NODE_ENV: 'production',
      COBALT_API_KEY: API_KEY,
      COBALT_BASE_URL: emulator.url,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      REDIS_URL: redis.url,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      REDIS_COMMAND_TIMEOUT_MS: '2000',
      ...env,
    });
    return (await waitFor(running, /GraphQL\s+(\S+)/))[1]!;
  }
  async function mint(url: string, account: string) {
    try {
      const res = await graphqlRequest(url, CreateSessionTokenDocument, { token: await signTestJwt({ sub: account }) });
      return { status: res.status, token: res.body.data?.createSessionToken.token };
    } catch {
      return { status: 0, token: undefined };
    }
  }
  async function until(condition: () => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline)
        throw new Error(`condition not met in time\n${running?.stdout ?? ''}${running?.stderr ?? ''}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('finishes every request that started before SIGTERM, refuses new connections, and exits 0', async () => {
    const url = await start({ SHUTDOWN_TIMEOUT_MS: '10000' });
    emulator.addFault({ type: 'latency', ms: 700 });

    const inFlight = ACCOUNTS.map((account) => mint(url, account));
    // Every request has reached Cobalt (through the gateway) and is waiting on its answer.
    await until(() => emulator.received('/api/v2/public/session-token').length === ACCOUNTS.length);
    const signalledAt = Date.now();
    running!.child.kill('SIGTERM');
    await until(() => running!.stdout.includes('shutting down'));
    // A new connection (fetch could reuse a kept-alive one, which is not what this asks).
    const late = await new Promise<number | string>((resolve) => {
      http
        .get(url.replace(/\/graphql$/, '/healthz'), { agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', () => resolve('refused'));
    });

    const results = await Promise.all(inFlight);
    const code = await running!.exited;

    expect(results.map((r) => r.status)).toEqual(ACCOUNTS.map(() => 200));
    expect(results.every((r) => typeof r.token === 'string')).toBe(true);
    expect(late).toBe('refused');
    expect(code).toBe(0);
    // The 700 ms answers plus a little: no wait for kept-alive connections to time out (5 s).
    expect(Date.now() - signalledAt).toBeLessThan(3500);
    expect(running!.stdout).toContain('"msg":"stopped"');
  }, 30_000);

  it('cuts requests still running at SHUTDOWN_TIMEOUT_MS and still exits 0', async () => {
    const url = await start({ SHUTDOWN_TIMEOUT_MS: '500', COBALT_TIMEOUT_MS: '60000', COBALT_DEADLINE_MS: '60000' });
    emulator.addFault({ type: 'hang' });

    const stuck = mint(url, ACCOUNTS[0]!);
    await until(() => emulator.received('/api/v2/public/session-token').length === 1);
    const signalledAt = Date.now();
    running!.child.kill('SIGTERM');
    const code = await running!.exited;
    const elapsed = Date.now() - signalledAt;

    expect(code).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(5000);
    expect((await stuck).status).toBe(0);
    expect(running!.stdout).toContain('shutdown-timeout');
  }, 30_000);
});
