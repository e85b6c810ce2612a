import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { documentLimitsRule } from '../../../src/server/document-limits';
import { singleMintPerOperationRule } from '../../../src/server/single-mint.rule';

const schema = buildSchema(readFileSync(join(__dirname, '../../../schema/schema.graphql'), 'utf8'));
const rules = [...specifiedRules, documentLimitsRule, singleMintPerOperationRule];
const errorsOf = (document: string) => validate(schema, parse(document), rules).map((e) => e.message);

/** Fragments F1..Fn on Mutation, each spreading the next ten times: 10^n paths, a few hundred bytes. */
function fragmentBomb(levels: number): string {
  const fragments = [`fragment F${levels} on Mutation { revokeSessionToken }`];
  for (let i = levels - 1; i >= 1; i -= 1) {
    fragments.push(`fragment F${i} on Mutation { ${Array.from({ length: 10 }, () => `...F${i + 1}`).join(' ')} }`);
  }
  return `mutation M { ...F1 }\n${fragments.join('\n')}`;
}

describe('singleMintPerOperationRule', () => {
  it('refuses a guarded field selected twice through aliases, inline fragments or fragments', () => {
    expect(errorsOf('mutation { a: createSessionToken { token } b: createSessionToken { token } }')).toContain(
      '"createSessionToken" may be selected at most once per operation.',
    );
    expect(
      errorsOf(
        'mutation { ... on Mutation { createConnectUrl(slug: "slack") { url } } ...C } fragment C on Mutation { createConnectUrl(slug: "hubspot") { url } }',
      ),
    ).toContain('"createConnectUrl" may be selected at most once per operation.');
  });

  it('accepts each guarded field once, even spread through several fragments', () => {
    expect(
      errorsOf(
        'mutation { ...A ...B } fragment A on Mutation { createSessionToken { token } } fragment B on Mutation { revokeSessionToken }',
      ),
    ).toEqual([]);
  });

  it('counts a fragment bomb in linear time and still refuses it (it once took minutes of CPU)', () => {
    // 11 levels: about 300 tokens, 10^10 spread paths. Walking every path again took ~14 s at 9 levels.
    const startedAt = performance.now();

    const errors = errorsOf(fragmentBomb(11));

    expect(errors).toHaveLength(1);
    expect(performance.now() - startedAt).toBeLessThan(2000);
  });
});
