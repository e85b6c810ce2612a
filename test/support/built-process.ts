import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { until } from './wait';

export const root = join(__dirname, '../..');
export const mainJs = join(root, 'dist/main.js');

export interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

/** Builds dist/ unless a build is there already (give the calling hook a couple of minutes). */
export function ensureBuilt(): void {
  if (!existsSync(mainJs)) execFileSync('npm', ['run', 'build'], { cwd: root });
}

/** Runs `node dist/main.js` as `npm start` does, with exactly the given environment. */
export function runBuilt(env: Record<string, string>): Running {
  return runProcess(process.execPath, [mainJs], env);
}

/** Runs a command (from the repository root by default) with exactly the given environment (plus PATH), collecting its output. */
export function runProcess(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  cwd: string = root,
): Running {
  const child = spawn(command, [...args], { cwd, env: { PATH: process.env['PATH'] ?? '', ...env } });
  const running: Running = {
    child,
    stdout: '',
    stderr: '',
    // 'close', not 'exit': the output is complete only once the pipes have closed.
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
  };
  child.stdout.on('data', (chunk: Buffer) => (running.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (running.stderr += chunk.toString()));
  return running;
}

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** Runs `node <args>` on CPU `cpu` alone when taskset exists (else unpinned), as the load tests need. */
export function runPinnedNode(cpu: number, args: readonly string[], env: Record<string, string>): Running {
  return hasTaskset
    ? runProcess('taskset', ['-c', String(cpu), process.execPath, ...args], env)
    : runProcess(process.execPath, args, env);
}

/** Waits until the process printed something matching `pattern`; fails with its output otherwise. */
export async function waitFor(running: Running, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  const notSeen = () => `pattern ${String(pattern)} not seen.\nstdout:\n${running.stdout}\nstderr:\n${running.stderr}`;
  await until(() => pattern.exec(running.stdout) !== null || running.child.exitCode !== null, {
    timeoutMs,
    what: notSeen,
  });
  const match = pattern.exec(running.stdout);
  if (match === null) throw new Error(notSeen());
  return match;
}
