import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import {
  DOCUMENT_LIMITS,
  documentLimitsRule,
  hideTokenLimit,
  measureDocument,
  TOKEN_LIMIT_MESSAGE,
} from '../../../src/server/document-limits';
import { createPlayground } from '../../../src/server/playground/playground';

const root = join(__dirname, '..', '..', '..');
// The published schema, integrations included: the limits must leave the frontend's queries headroom.
const schema = buildSchema(readFileSync(join(root, 'schema', 'schema.graphql'), 'utf8'));

const INTEGRATIONS_QUERY = `query Integrations($filter: IntegrationFilter) {
  integrations(filter: $filter) {
    slug name icon description authType connected reauthRequired
    connectedAccounts { identifier status connectedAt }
  }
}`;

const LIMIT_MESSAGE = /^The operation (is nested too deeply|uses too many \w+|is too complex)\.$/;

function errorsOf(document: string) {
  return validate(schema, parse(document, { maxTokens: DOCUMENT_LIMITS.maxTokens }), [
    ...specifiedRules,
    documentLimitsRule,
  ]).map((error) => error.message);
}

function nested(depth: number): string {
  let selection = 'leaf';
  for (let i = 1; i < depth; i += 1) selection = `f${i} { ${selection} }`;
  return `{ ${selection} }`;
}

describe('document limits', () => {
  const playgroundConfig = /<script type="application\/json" id="playground-config">(.*)<\/script>/.exec(
    createPlayground().html,
  );
  const frontendDocuments: [string, string][] = [
    ['the playground default document', (JSON.parse(playgroundConfig![1]!) as { defaultQuery: string }).defaultQuery],
    ...readdirSync(join(root, 'client', 'operations')).map((file): [string, string] => [
      `client/operations/${file}`,
      readFileSync(join(root, 'client', 'operations', file), 'utf8'),
    ]),
    ['the integrations query', INTEGRATIONS_QUERY],
    [
      'integrations and viewer in one query',
      `query Everything($filter: IntegrationFilter) { viewer { linkedAccountId __typename } ${INTEGRATIONS_QUERY.slice(INTEGRATIONS_QUERY.indexOf('integrations('))}`,
    ],
    [
      'GraphiQL introspection',
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
        oneOf: true,
      }),
    ],
    [
      'five @include directives',
      'query Q($a: Boolean!) { viewer @include(if: $a) { linkedAccountId @include(if: $a) } v2: viewer @skip(if: $a) { linkedAccountId @include(if: $a) __typename @skip(if: $a) } }',
    ],
    ['15 aliases of __typename', `{ ${Array.from({ length: 15 }, (_, i) => `a${i}: __typename`).join(' ')} }`],
  ];

  it.each(frontendDocuments)('accepts %s', (_label, document) => {
    expect(errorsOf(document)).toEqual([]);
  });

  it('leaves headroom for the integrations query under every limit', () => {
    const measure = measureDocument(schema, parse(INTEGRATIONS_QUERY));

    expect(measure.depth).toBeLessThanOrEqual(DOCUMENT_LIMITS.maxDepth / 2);
    expect(measure.cost).toBeLessThanOrEqual(DOCUMENT_LIMITS.maxCost * 0.8);
    expect(measure.selections).toBeLessThanOrEqual(DOCUMENT_LIMITS.maxRecursiveSelections / 10);
  });

  it.each<[string, string, RegExp]>([
    ['7 nested levels', nested(7), /nested too deeply/],
    [
      '16 aliases of __typename',
      `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
      /aliases/,
    ],
    [
      '101 aliases of a real field',
      `{ ${Array.from({ length: 101 }, (_, i) => `a${i}: viewer { linkedAccountId }`).join(' ')} }`,
      /aliases/,
    ],
    ['ten copies of an unknown directive', 'query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }', /directives/],
    ['500 duplicated fields', `query cop { ${'__typename \n'.repeat(500)}}`, /too complex/],
    [
      'aliases hidden in a fragment spread twice',
      `{ ...F a: viewer { ...F } } fragment F on Query { ${Array.from({ length: 8 }, (_, i) => `x${i}: __typename`).join(' ')} }`,
      /aliases/,
    ],
    [
      'fragments doubling at every level',
      `{ ...F0 } ${Array.from({ length: 30 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F30 on Query { __typename }`,
      /too complex/,
    ],
  ])('refuses %s with exactly one generic error', (_label, document, kind) => {
    const errors = errorsOf(document);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(LIMIT_MESSAGE);
    expect(errors[0]).toMatch(kind);
    expect(errors[0]).not.toMatch(/\d/);
  });

  it('accepts 6 nested levels as far as the limits go (unknown fields are the schema rules’ business)', () => {
    const errors = errorsOf(nested(6));

    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((message) => LIMIT_MESSAGE.test(message))).toBe(false);
  });

  it('measures a fragment cycle without looping and leaves it to NoFragmentCycles', () => {
    const errors = errorsOf('{ viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }');

    expect(errors.some((message) => message.includes('Cannot spread fragment "A" within itself'))).toBe(true);
  });

  it('stops parsing at the token limit and hides the limit from the message', () => {
    let message = '';
    try {
      parse(`{ ${'__typename '.repeat(DOCUMENT_LIMITS.maxTokens)} }`, { maxTokens: DOCUMENT_LIMITS.maxTokens });
    } catch (error) {
      message = (error as Error).message;
    }

    const formatted = hideTokenLimit({
      message,
      locations: [{ line: 1, column: 1 }],
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });

    expect(message).toContain(String(DOCUMENT_LIMITS.maxTokens));
    expect(formatted).toEqual({ message: TOKEN_LIMIT_MESSAGE, extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    expect(hideTokenLimit({ message: 'Syntax Error: Unexpected Name "qwerty".' })).toEqual({
      message: 'Syntax Error: Unexpected Name "qwerty".',
    });
  });
});
