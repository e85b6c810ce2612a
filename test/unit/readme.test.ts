import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { envKeys } from '../../src/config/config.schema';
import { ErrorCode, errorPolicy } from '../../src/errors/error-code';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

/** Rows of the tables in one `## ` section whose first cell is code-formatted. */
function tableRows(heading: string): string[][] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README has no section ${heading}`);
  const next = readme.indexOf('\n## ', start + 1);
  return readme
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

describe('README', () => {
  it('documents exactly the environment variables the config schema reads', () => {
    const documented = tableRows('## Configuration').map((row) => row[0]!);

    expect(documented.sort()).toEqual([...envKeys].sort());
  });

  it('lists every error code with its retryability', () => {
    const rows = tableRows('## Error codes').map((row) => [row[0]!, row[1]]);

    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(Object.values(ErrorCode).map((code) => [code, errorPolicy[code].retryable ? 'yes' : 'no'])),
    );
  });
});
