import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const root = join(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * The container's runtime stage keeps production dependencies only (`npm prune --omit=dev`): a package
 * that src/ imports at run time but lists under devDependencies would start in development and crash in
 * the image. A static check, because these machines cannot build the image.
 */
describe('runtime dependencies', () => {
  it('lists every package src/ imports at run time under dependencies', () => {
    const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set(
      sourceFiles(join(root, 'src')).flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/^import (?!type )(?:[^;']*?from )?'([^'.][^']*)';/gms)]
          .map((match) => match[1]!)
          .filter((specifier) => !specifier.startsWith('node:'))
          .map(packageName),
      ),
    );

    expect([...imported].filter((name) => !(name in dependencies)).sort()).toEqual([]);
    expect(imported.size).toBeGreaterThan(5);
  });
});
