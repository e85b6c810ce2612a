import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const root = join(__dirname, '../..');

/** A throwaway `src/` with the given files, checked with the repository's own layer rules. */
function checkLayers(dir: string, files: Record<string, string>): { status: number | null; output: string } {
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const result = spawnSync(
    join(root, 'node_modules/.bin/depcruise'),
    ['src', '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'err'],
    { cwd: dir, encoding: 'utf8' },
  );
  return { status: result.status, output: result.stdout + result.stderr };
}

/**
 * The rules in `.dependency-cruiser.cjs` (run on the real tree by `npm test`), tried on small trees:
 * the GraphQL layer must not get Cobalt's shapes, neither directly nor passed on by a service.
 */
describe('the layer rules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'layer-rules-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuse a service that re-exports Cobalt's types, and a schema file that imports them", () => {
    const { status, output } = checkLayers(dir, {
      'src/cobalt/application.ts': 'export interface CobaltApplication { readonly slug: string }\n',
      'src/integrations/integration-request.ts': "export type { CobaltApplication } from '../cobalt/application';\n",
      'src/linked-accounts/linked-account.service.ts': "export * from '../cobalt/application';\n",
      'src/schema/build-schema.ts':
        "import type { CobaltApplication } from '../cobalt/application';\nexport type Shown = CobaltApplication;\n",
      // A service declaring its own type, mapped from Cobalt's, is the way.
      'src/integrations/user-integration.ts':
        "import type { CobaltApplication } from '../cobalt/application';\n" +
        'export interface UserIntegration { readonly slug: string }\n' +
        'export const toUserIntegration = (app: CobaltApplication): UserIntegration => ({ slug: app.slug });\n',
    });

    expect(status).not.toBe(0);
    const violations = output.split('\n').filter((line) => line.includes('error '));
    expect(violations.map((line) => line.trim()).sort()).toEqual([
      'error no-re-export-of-cobalt: src/integrations/integration-request.ts → src/cobalt/application.ts',
      'error no-re-export-of-cobalt: src/linked-accounts/linked-account.service.ts → src/cobalt/application.ts',
      'error resolvers-go-through-services: src/schema/build-schema.ts → src/cobalt/application.ts',
    ]);
  });
});
