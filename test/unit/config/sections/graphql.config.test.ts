import { describe, expect, it } from '@jest/globals';
import { graphqlEnv, parseGraphql } from '../../../../src/config/sections/graphql.config';
import { parseSection } from './parse-section';

function parse(vars: Record<string, string>, production: boolean) {
  return parseSection(graphqlEnv, parseGraphql, vars, production).value;
}

describe('GraphQL settings', () => {
  it('offers introspection and the playground outside production only, unless told', () => {
    expect(parse({}, false)).toEqual({ introspection: true, playground: true });
    expect(parse({}, true)).toEqual({ introspection: false, playground: false });
    expect(parse({ PLAYGROUND_ENABLED: 'true' }, true)).toEqual({ introspection: false, playground: true });
    expect(parse({ GRAPHQL_INTROSPECTION: 'false', PLAYGROUND_ENABLED: 'false' }, false)).toEqual({
      introspection: false,
      playground: false,
    });
  });
});
