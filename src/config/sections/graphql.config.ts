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
  TRUSTED_DOCUMENTS: z
    .enum(['off', 'allow', 'require'])
    .default('allow')
    .describe(
      'Trusted documents (persisted operations): `off` ignores document ids, `allow` runs known ids and full documents, `require` (recommended in production) runs manifest ids only.',
    ),
  TRUSTED_DOCUMENTS_MANIFEST: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      'Path of a persisted documents manifest; checked at start-up unless `off`. Default: the one the package ships, `client/generated/persisted-documents.json` written by codegen.',
    ),
});

/** Both default to off in production, where the schema is not advertised to strangers. */
export function parseGraphql(env: z.output<typeof graphqlEnv>, { production }: ParseContext) {
  return {
    introspection: env.GRAPHQL_INTROSPECTION ?? !production,
    playground: env.PLAYGROUND_ENABLED ?? !production,
    trustedDocuments: {
      mode: env.TRUSTED_DOCUMENTS,
      ...(env.TRUSTED_DOCUMENTS_MANIFEST !== undefined && { manifestPath: env.TRUSTED_DOCUMENTS_MANIFEST }),
    },
  };
}

export type GraphqlConfig = DeepReadonly<ReturnType<typeof parseGraphql>>;
