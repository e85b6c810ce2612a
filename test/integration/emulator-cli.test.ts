import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { root, runProcess, waitFor, type Running } from '../support/built-process';

/**
 * Runs what `npm run emulator -- <args>` runs, without npm in between: npm does not pass SIGTERM on
 * to its script, while tsx forwards it to the process running main.ts.
 */
function runEmulator(args: readonly string[], env: Record<string, string> = {}): Running {
  return runProcess(join(root, 'node_modules/.bin/tsx'), ['src/cobalt/emulator/main.ts', ...args], env);
}

describe('npm run emulator (src/cobalt/emulator/main.ts)', () => {
  describe('started with --port 0 while PORT holds garbage (the flag wins)', () => {
    let running: Running;
    let url: string;
    let apiKey: string;

    beforeAll(async () => {
      running = runEmulator(['--port', '0'], { PORT: 'not-a-port' });
      await waitFor(running, /curl -s .*\n/, 30_000);
      url = /URL\s+(http:\/\/127\.0\.0\.1:\d+)\n/.exec(running.stdout)![1]!;
      apiKey = /API key\s+(\S+)/.exec(running.stdout)![1]!;
    }, 40_000);
    afterAll(async () => {
      running.child.kill('SIGTERM');
      await running.exited;
    });

    it('prints its URL on a real port, an API key with its org and environment, and the seeded account', () => {
      expect(url).not.toMatch(/:0$/);
      expect(apiKey).toMatch(/^tk_/);
      expect(running.stdout).toMatch(/API key\s+tk_\S+\s+\(org [0-9a-f]{24}, environment test\)/);
      expect(running.stdout).toMatch(/Linked account\s+demo-user\b/);
    });

    it('mints a session token for the seeded account with the printed URL and key', async () => {
      const res = await fetch(`${url}/api/v2/public/session-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ linked_account_id: 'demo-user' }),
      });

      expect(res.status).toBe(200);
      const { token } = (await res.json()) as { token: string };
      expect(decodeJwt(token)).toMatchObject({ linked_account_id: 'demo-user', environment: 'test' });
    });

    it('mints with the printed curl line as it stands', () => {
      const curl = /^\s*(curl -s .*)$/m.exec(running.stdout)![1]!;

      const output = execFileSync('bash', ['-c', curl], { encoding: 'utf8', timeout: 10_000 });

      expect(JSON.parse(output)).toMatchObject({ token: expect.any(String), expires_in: 72 * 3600 });
    });

    it('refuses a key it did not print', async () => {
      const res = await fetch(`${url}/api/v2/public/session-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'tk_someone_else' },
        body: JSON.stringify({ linked_account_id: 'demo-user' }),
      });

      expect(res.status).toBe(401);
    });

    it('exits 0 on SIGTERM and stops listening', async () => {
      running.child.kill('SIGTERM');

      expect(await running.exited).toBe(0);
      await expect(fetch(`${url}/api/v2/public/session-token`, { method: 'POST' })).rejects.toThrow();
    });
  });

  it.each([
    ['a --port that is not a number', ['--port', 'abc'], {}, /^cobalt emulator: --port must be an integer .*"abc"/],
    ['a PORT out of range', [], { PORT: '65536' }, /^cobalt emulator: PORT must be an integer .*"65536"/],
  ])('exits 2 with a one-line error on %s', async (_name, args, env, message) => {
    const running = runEmulator(args, env);

    expect(await running.exited).toBe(2);
    expect(running.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    expect(running.stdout).toBe('');
  });
});
