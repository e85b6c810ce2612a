import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CobaltEmulator } from '../../src/cobalt/emulator/cobalt-emulator';
import { ensureBuilt, root, runProcess, waitFor, type Running } from '../support/built-process';
import { startEmulator } from '../support/emulator';
import { signTestJwt, TEST_JWT_SECRET } from '../support/jwt';
import { mintWithBearer } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';

/** What `npm pack` would publish: package.json `files` plus package.json itself, as npm itself lists it. */
function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  return pack!.files.map((file) => file.path);
}

/**
 * The production dependency tree as npm resolves it (`npm ls --omit=dev`), as directories under
 * node_modules/. Outermost only: a nested node_modules is copied with its parent.
 */
function productionPackages(): string[] {
  let out: string;
  try {
    out = execFileSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: root, encoding: 'utf8' });
  } catch (error) {
    // npm ls exits 1 for extraneous packages (a developer's --no-save install) but still prints the tree.
    out = (error as { stdout?: string }).stdout ?? '';
  }
  const dirs = out
    .split('\n')
    .filter((line) => line.startsWith(join(root, 'node_modules') + sep))
    .map((line) => relative(root, line))
    .sort();
  return dirs.filter((dir, i) => !dirs.slice(0, i).some((outer) => dir.startsWith(outer + sep)));
}

/**
 * What the container image runs (Dockerfile: `npm prune --omit=dev`, then package.json, node_modules
 * and the `files`), built without a container runtime: a package that src/ needs at run time but lists
 * under devDependencies, or a file read at start-up that `files` leaves out, makes this start fail
 * exactly as the image would.
 */
describe('the package with production dependencies only', () => {
  const apiKey = 'tk_production_deps_key';
  let dir: string;
  let emulator: CobaltEmulator | undefined;
  let running: Running | undefined;
  let url: string;

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'cgw-prod-'));
    for (const file of packedFiles()) {
      cpSync(join(root, file), join(dir, file), { recursive: true });
    }
    // Links, not copies (copying thousands of small files takes a minute on a busy machine); node runs
    // with --preserve-symlinks so it resolves from the link's place, where only these packages are.
    for (const pkg of productionPackages()) {
      mkdirSync(dirname(join(dir, pkg)), { recursive: true });
      symlinkSync(join(root, pkg), join(dir, pkg), 'dir');
    }
    emulator = await startEmulator(apiKey, ['user_prod_deps']);
    running = runProcess(
      process.execPath,
      ['--preserve-symlinks', '--preserve-symlinks-main', join(dir, 'dist/main.js')],
      {
        PORT: '0',
        NODE_ENV: 'production',
        COBALT_API_KEY: apiKey,
        COBALT_BASE_URL: emulator.url,
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
      },
      // Not the repository: module resolution must not find the development node_modules.
      dirname(dir),
    );
    url = (await waitFor(running, /GraphQL\s+(\S+)/, 20_000))[1]!;
  }, 90_000);

  afterAll(async () => {
    if (running !== undefined) {
      running.child.kill('SIGTERM');
      await running.exited;
    }
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds no development package', () => {
    expect(existsSync(join(dir, 'node_modules/jest'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/@apollo/server'))).toBe(true);
  });

  it('starts in production mode and mints a token through Cobalt', async () => {
    const res = await mintWithBearer(url, await signTestJwt({ sub: 'user_prod_deps' }));

    expect(res.error).toBeUndefined();
    expect(res.data?.token).toEqual(expect.any(String));
    expect(emulator!.received(SESSION_TOKEN_PATH)).toHaveLength(1);
  });
});
