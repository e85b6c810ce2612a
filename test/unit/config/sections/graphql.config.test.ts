import { describe, expect, it } from '@jest/globals';
import { graphqlEnv, parseGraphql } from '../../../../src/config/sections/graphql.config';
import { parseSection } from './parse-section';

function parse(vars: Record<string, string>, production: boolean) {
  return parseSection(graphqlEnv, parseGraphql, vars, production).value;
}

describe('GraphQL settings', () => {
  it('offers introspection and the playground outside production only, unless told', () => {
    expect(parse({}, false)).toMatchObject({ introspection: true, playground: true });
    expect(parse({}, true)).toMatchObject({ introspection: false, playground: false });
    expect(parse({ PLAYGROUND_ENABLED: 'true' }, true)).toMatchObject({ introspection: false, playground: true });
    expect(parse({ GRAPHQL_INTROSPECTION: 'false', PLAYGROUND_ENABLED: 'false' }, false)).toMatchObject({
      introspection: false,
      playground: false,
    });
  });

  it('serves trusted documents in allow mode from the codegen manifest by default', () => {
    expect(parse({}, true).trustedDocuments).toEqual({
      mode: 'allow',
    });
    expect(parse({ TRUSTED_DOCUMENTS: 'require' }, true).trustedDocuments.mode).toBe('require');
  });

  it('refuses an unknown trusted documents mode', () => {
    expect(() => parse({ TRUSTED_DOCUMENTS: 'strict' }, true)).toThrow();
  });
});
