import { ConfigError } from './config-error';
import { envSchema, type RawEnv } from './config.schema';
import { deepFreeze, type DeepReadonly } from './deep-freeze';
import { parseAuth } from './sections/auth.config';
import { parseCobalt } from './sections/cobalt.config';
import { parseGraphql } from './sections/graphql.config';
import { parseHttp } from './sections/http.config';
import { parseIntegrations } from './sections/integrations.config';
import { parseOverload } from './sections/overload.config';
import type { ParseContext } from './sections/parse-context';
import { parseRateLimits } from './sections/rate-limits.config';
import { parseTokenCache } from './sections/token-cache.config';
import { parseTracing } from './sections/tracing.config';

export { ConfigError } from './config-error';
export type { AuthConfig } from './sections/auth-method.config';
export type { AuthSettings } from './sections/auth.config';
export type { CobaltConfig } from './sections/cobalt.config';
export type { GraphqlConfig } from './sections/graphql.config';
export type { HttpConfig } from './sections/http.config';
export type { IntegrationsConfig } from './sections/integrations.config';
export type { OverloadConfig } from './sections/overload.config';
export type { ProfileClaims } from './sections/provisioning.config';
export type { RateLimitsConfig } from './sections/rate-limits.config';
export type { RedisConnectionConfig, RedisNode, RedisTlsConfig, RedisTopology } from './sections/redis.config';
export type { LogLevel, NodeEnv } from './sections/runtime.config';
export type { TokenCacheConfig } from './sections/token-cache.config';
export type { TokenStoreConfig } from './sections/token-store.config';
export type { TracingConfig } from './sections/tracing.config';

/**
 * Each variable on its own, so that one bad value hides neither the others' problems nor the
 * cross-variable rules: a variable that fails is read as its default for those rules.
 */
function parseEachVariable(env: Readonly<Record<string, string | undefined>>, problems: string[]): RawEnv {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const result = schema.safeParse(env[name]);
    if (result.success) values[name] = result.data;
    else problems.push(`${name}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  return { ...envSchema.parse({}), ...values };
}

function parseSections(env: RawEnv, context: ParseContext) {
  return {
    nodeEnv: env.NODE_ENV,
    http: parseHttp(env, context),
    overload: parseOverload(env),
    rateLimits: parseRateLimits(env),
    logLevel: env.LOG_LEVEL,
    cobalt: parseCobalt(env, context),
    auth: parseAuth(env, context),
    /** Upsert the linked account when a mint meets "No linked account found", then mint again once. */
    autoProvision: env.COBALT_AUTO_PROVISION,
    integrations: parseIntegrations(env),
    graphql: parseGraphql(env, context),
    tokenCache: parseTokenCache(env, context),
    tracing: parseTracing(env, context),
  };
}

export type Config = DeepReadonly<ReturnType<typeof parseSections>>;

/**
 * Parses and cross-checks the environment. The only reader of `process.env` in the codebase: every
 * other module receives the resulting `Config` (or a slice of it) as a parameter.
 *
 * @throws ConfigError listing every problem, by variable name only.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const problems: string[] = [];
  const values = parseEachVariable(env, problems);
  const config = parseSections(values, { production: values.NODE_ENV === 'production', problems });
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}
