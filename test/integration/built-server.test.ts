import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CobaltEmulator } from '../../src/cobalt/emulator/cobalt-emulator';
import { ensureBuilt, runBuilt, waitFor, type Running } from '../support/built-process';
import { startEmulator } from '../support/emulator';
import { signTestJwt, TEST_JWT_SECRET } from '../support/jwt';
import { mintWithBearer } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';

describe('the built server (node dist/main.js)', () => {
  beforeAll(ensureBuilt, 120_000);

  describe('on the embedded default', () => {
    let running: Running;

    beforeAll(async () => {
      running = runBuilt({ PORT: '0' });
      await waitFor(running, /curl -s .*\n/);
    }, 30_000);
    afterAll(async () => {
      running.child.kill('SIGTERM');
      await running.exited;
    });

    it('prints a banner with the GraphQL URL, a dev bearer token and a curl line', () => {
      expect(running.stdout).toMatch(/GraphQL\s+http:\/\/127\.0\.0\.1:\d+\/graphql/);
      expect(running.stdout).toMatch(/embedded emulator at http:\/\/127\.0\.0\.1:\d+/);
      expect(running.stdout).toMatch(/Dev bearer token for linked account "demo-user"/);
    });

    it('mints a session token with the printed curl line', () => {
      const curl = /^\s*(curl -s .*)$/m.exec(running.stdout)![1]!;

      const output = execFileSync('bash', ['-c', curl], { encoding: 'utf8', timeout: 10_000 });

      const body = JSON.parse(output) as { data: { createSessionToken: { token: string; linkedAccountId: string } } };
      expect(body.data.createSessionToken.linkedAccountId).toBe('demo-user');
      expect(body.data.createSessionToken.token.split('.')).toHaveLength(3);
    });

    it('answers /healthz', async () => {
      const url = /GraphQL\s+(\S+)/.exec(running.stdout)![1]!;

      const res = await fetch(url.replace(/\/graphql$/, '/healthz'));

      expect(res.status).toBe(200);
    });

    it('exits 0 on SIGTERM', async () => {
      running.child.kill('SIGTERM');

      expect(await running.exited).toBe(0);
    });
  });

  describe('against a configured Cobalt', () => {
    const apiKey = 'tk_built_server_canary_key';
    let emulator: CobaltEmulator;
    let running: Running;
    let url: string;

    beforeAll(async () => {
      emulator = await startEmulator(apiKey, ['user_12345']);
      running = runBuilt({
        PORT: '0',
        NODE_ENV: 'production',
        LOG_LEVEL: 'debug',
        COBALT_API_KEY: apiKey,
        COBALT_BASE_URL: emulator.url,
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
      });
      url = (await waitFor(running, /GraphQL\s+(\S+)/))[1]!;
    }, 30_000);
    afterAll(async () => {
      running.child.kill('SIGTERM');
      await running.exited;
      await emulator.stop();
    });

    it('mints through Cobalt and never prints the API key or the tokens', async () => {
      const bearer = await signTestJwt({ sub: 'user_12345' });

      const res = await mintWithBearer(url, bearer);

      const token = res.data!.token;
      expect(emulator.received(SESSION_TOKEN_PATH)[0]!.headers['x-api-key']).toBe(apiKey);
      // The request's log line is written after the answer is sent: wait for it, not for a guess.
      await waitFor(running, /"msg":"graphql request"/);
      const output = running.stdout + running.stderr;
      expect(output).toContain('"msg":"graphql request"');
      expect(output).not.toContain(apiKey);
      expect(output).not.toContain(bearer);
      expect(output).not.toContain(token);
    });

    it('prints no dev token in production', () => {
      expect(running.stdout).not.toContain('Dev bearer token');
    });
  });

  it('exits 1 with one message listing every configuration problem and no stack trace', async () => {
    const running = runBuilt({ NODE_ENV: 'production', PORT: 'eighty', AUTH_JWT_SECRET: 'short' });

    const code = await running.exited;

    expect(code).toBe(1);
    expect(running.stderr).toContain('Invalid configuration');
    for (const name of ['PORT', 'COBALT_API_KEY']) expect(running.stderr).toContain(name);
    expect(running.stderr).not.toMatch(/\n\s+at /);
    expect(running.stderr).not.toContain('short');
  });
});
