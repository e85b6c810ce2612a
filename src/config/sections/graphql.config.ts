import { z } from 'zod';
import type { DeepReadonly } from '../deep-freeze';
import { flag } from './env-values';
import type { ParseContext } from './parse-context';

export const graphqlEnv = z.object({
  GRAPHQL_INTROSPECTION: flag
    .optional()
    .describe('Override introspection. Default: on outside production, off in production.'),
  PLAYGROUND_ENABLED: flag
    .optional()
    .describe(
      'Serve the offline GraphiQL playground at `GET /graphql`. Default: on outside production, off in production.',
    ),
});

/** Both default to off in production, where the schema is not advertised to strangers. */
export function parseGraphql(env: z.output<typeof graphqlEnv>, { production }: ParseContext) {
  return {
    introspection: env.GRAPHQL_INTROSPECTION ?? !production,
    playground: env.PLAYGROUND_ENABLED ?? !production,
  };
}

export type GraphqlConfig = DeepReadonly<ReturnType<typeof parseGraphql>>;
