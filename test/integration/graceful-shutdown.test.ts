import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { CobaltEmulator } from '../../src/cobalt/emulator/cobalt-emulator';
import { ensureBuilt, runBuilt, waitFor, type Running } from '../support/built-process';
import { startEmulator } from '../support/emulator';
import { TEST_JWT_SECRET } from '../support/jwt';
import { mint } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { newEncryptionKey, startTestRedis, type TestRedis } from '../support/redis-server';
import { until } from '../support/wait';

const API_KEY = 'tk_shutdown_test_key';
const ACCOUNTS = Array.from({ length: 20 }, (_, i) => `shutdown-user-${i}`);

/** SIGTERM as a deploy sends it: the built server, under load, with Redis configured. */
describe('graceful shutdown (node dist/main.js)', () => {
  let emulator: CobaltEmulator;
  let redis: TestRedis;
  let running: Running | undefined;

  beforeAll(async () => {
    ensureBuilt();
    emulator = await startEmulator(API_KEY, ACCOUNTS);
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
      TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
      REDIS_COMMAND_TIMEOUT_MS: '2000',
      ...env,
    });
    return (await waitFor(running, /GraphQL\s+(\S+)/))[1]!;
  }
  /** A mint whose connection may be refused or cut: status 0 then. */
  async function mintOrCut(url: string, account: string) {
    try {
      const res = await mint(url, account);
      return { status: res.status, token: res.data?.token };
    } catch {
      return { status: 0, token: undefined };
    }
  }
  const withOutput = { what: () => `condition not met in time\n${running?.stdout ?? ''}${running?.stderr ?? ''}` };

  it('finishes every request that started before SIGTERM, refuses new connections, and exits 0', async () => {
    const url = await start({ SHUTDOWN_TIMEOUT_MS: '10000' });
    emulator.addFault({ type: 'latency', ms: 700 });

    const inFlight = ACCOUNTS.map((account) => mintOrCut(url, account));
    // Every request has reached Cobalt (through the gateway) and is waiting on its answer.
    await until(() => emulator.received(SESSION_TOKEN_PATH).length === ACCOUNTS.length, withOutput);
    const signalledAt = Date.now();
    running!.child.kill('SIGTERM');
    await until(() => running!.stdout.includes('shutting down'), withOutput);
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

    const stuck = mintOrCut(url, ACCOUNTS[0]!);
    await until(() => emulator.received(SESSION_TOKEN_PATH).length === 1, withOutput);
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
