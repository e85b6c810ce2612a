import { z } from 'zod';
import { authMethodEnv } from './sections/auth-method.config';
import { authClaimsEnv } from './sections/auth.config';
import { cobaltEnv } from './sections/cobalt.config';
import { graphqlEnv } from './sections/graphql.config';
import { httpEnv } from './sections/http.config';
import { integrationsEnv } from './sections/integrations.config';
import { overloadEnv } from './sections/overload.config';
import { provisioningEnv } from './sections/provisioning.config';
import { rateLimitsEnv } from './sections/rate-limits.config';
import { redisEnv } from './sections/redis.config';
import { runtimeEnv } from './sections/runtime.config';
import { tokenCacheEnv } from './sections/token-cache.config';
import { tokenStoreEnv } from './sections/token-store.config';
import { tracingEnv } from './sections/tracing.config';

/**
 * Every environment variable the gateway reads, with its default and a one-line description: the
 * union of the variables each section in `sections/` declares. The README's configuration table is
 * checked against this object by a unit test, so adding a variable without documenting it fails the build.
 */
export const envSchema = z.object({
  ...runtimeEnv.shape,
  ...httpEnv.shape,
  ...overloadEnv.shape,
  ...graphqlEnv.shape,
  ...cobaltEnv.shape,
  ...provisioningEnv.shape,
  ...integrationsEnv.shape,
  ...authMethodEnv.shape,
  ...authClaimsEnv.shape,
  ...rateLimitsEnv.shape,
  ...tokenStoreEnv.shape,
  ...redisEnv.shape,
  ...tokenCacheEnv.shape,
  ...tracingEnv.shape,
});

export type RawEnv = z.output<typeof envSchema>;
export type EnvKey = keyof typeof envSchema.shape;
export const envKeys = Object.keys(envSchema.shape) as EnvKey[];
