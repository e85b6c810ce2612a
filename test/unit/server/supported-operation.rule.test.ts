import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { supportedOperationRule } from '../../../src/server/supported-operation.rule';

const schema = buildSchema(readFileSync(join(__dirname, '../../../schema/schema.graphql'), 'utf8'));
const errorsOf = (document: string) =>
  validate(schema, parse(document), [...specifiedRules, supportedOperationRule]).map((e) => e.message);

describe('supportedOperationRule', () => {
  it('refuses a subscription, which the schema has no root type for', () => {
    expect(errorsOf('subscription { x }')).toEqual(['This API does not support subscription operations.']);
  });

  it('accepts queries and mutations', () => {
    expect(errorsOf('query Q { __typename } mutation M { __typename }')).toEqual([]);
  });
});
