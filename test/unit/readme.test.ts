import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { envKeys } from '../../src/config/config.schema';
import { ErrorCode, errorPolicy } from '../../src/errors/error-code';

const root = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** Rows of the tables in one section of a page whose first cell is code-formatted. */
function tableRows(page: string, heading: string): string[][] {
  const text = read(page);
  const start = text.indexOf(`${heading}\n`);
  if (start === -1) throw new Error(`${page} has no section ${heading}`);
  const next = text.indexOf('\n## ', start + 1);
  return text
    .slice(start, next === -1 ? undefined : next)
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replaceAll('`', '')),
    );
}

const pages = [
  'README.md',
  'CONTRIBUTING.md',
  'bench/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** Lines outside fenced code blocks and tables. */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) {
      fenced = !fenced;
      return false;
    }
    return !fenced && !line.startsWith('|');
  });
}

describe('docs', () => {
  it('docs/configuration.md documents exactly the environment variables the config schema reads', () => {
    const documented = tableRows('docs/configuration.md', '# Configuration').map((row) => row[0]!);

    expect(documented.sort()).toEqual([...envKeys].sort());
  });

  it('docs/errors.md lists every error code with its retryability', () => {
    const rows = tableRows('docs/errors.md', '# Error codes').map((row) => [row[0]!, row[1]]);

    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(Object.values(ErrorCode).map((code) => [code, errorPolicy[code].retryable ? 'yes' : 'no'])),
    );
  });

  it('keeps the README short: at most 200 lines, prose lines at most 120 characters', () => {
    const readme = read('README.md');

    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    expect(proseLines(readme).filter((line) => line.length > 120)).toEqual([]);
  });

  it.each(pages)('every relative link in %s resolves', (page) => {
    const text = proseLines(read(page)).join('\n');
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((match) => match[1]!)
      .filter((target) => !/^[a-z]+:/.test(target) && !target.startsWith('#'))
      .map((target) => target.split('#')[0]!);
    const missing = targets.filter((target) => !existsSync(resolve(root, dirname(page), target)));

    expect(missing).toEqual([]);
  });

  it('documents only npm scripts that exist', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const documented = pages.flatMap((page) => [...read(page).matchAll(/npm run ([a-z:]+)/g)].map((m) => m[1]!));

    expect(documented.filter((name) => !scripts.includes(name))).toEqual([]);
  });
});
