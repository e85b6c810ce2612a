import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { buildSchema } from 'graphql';
import { ErrorCode } from '../../../src/errors/error-code';
import { printGatewaySchema } from '../../../src/schema/print-schema';

const committedPath = join(__dirname, '../../../schema/schema.graphql');

describe('schema/schema.graphql', () => {
  it('matches the schema built from the code (run `npm run schema:emit` after changing resolvers)', () => {
    expect(readFileSync(committedPath, 'utf8')).toBe(printGatewaySchema());
  });

  it('publishes every ErrorCode, so codegen gives frontends the full set', () => {
    const schema = buildSchema(readFileSync(committedPath, 'utf8'));
    const published = schema.getType('ErrorCode');

    expect(published?.toJSON()).toBe('ErrorCode');
    expect(
      (published as unknown as { getValues(): { name: string }[] })
        .getValues()
        .map((v) => v.name)
        .sort(),
    ).toEqual(Object.values(ErrorCode).sort());
  });

  it('offers no argument through which a client could choose a linked account', () => {
    const schema = buildSchema(readFileSync(committedPath, 'utf8'));
    for (const root of [schema.getQueryType(), schema.getMutationType()]) {
      for (const field of Object.values(root!.getFields())) {
        expect(field.args.map((a) => a.name)).not.toContainEqual(expect.stringMatching(/account|user|sub/i));
      }
    }
  });
});
