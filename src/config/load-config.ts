import { envSchema, type RawEnv } from './config.schema';
import { Secret } from './secret';

export type NodeEnv = RawEnv['NODE_ENV'];

const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const MIN_HMAC_SECRET_LENGTH = 32;

export type AuthConfig =
  | { readonly kind: 'secret'; readonly secret: Secret; readonly algorithms: readonly string[] }
  | {
      readonly kind: 'jwks';
      readonly jwksUrl: string;
      readonly algorithms: readonly string[];
      readonly cacheMaxAgeS: number;
      /** How long the last good key set bridges an identity-provider outage. */
      readonly maxStaleS: number;
    }
  /** Development only: main.ts generates a secret and prints a token signed with it. */
  | { readonly kind: 'dev-generated' };

export interface ProfileClaims {
  readonly name: string;
  /** User-defined field name → the claim it is read from. */
  readonly udf: readonly { readonly field: string; readonly claim: string }[];
}

// Field and claim names: printable, no separators of this list; namespaced claims (URLs) are fine.
const CLAIM_NAME = /^[\x21-\x7e]{1,256}$/;
const MAX_UDF_CLAIMS = 32;

function parseUdfClaims(raw: string | undefined, problems: string[]): ProfileClaims['udf'] {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length > MAX_UDF_CLAIMS) problems.push(`AUTH_UDF_CLAIMS: at most ${MAX_UDF_CLAIMS} entries`);
  return entries.map((entry) => {
    const at = entry.indexOf('=');
    const field = (at === -1 ? entry : entry.slice(0, at)).trim();
    const claim = (at === -1 ? entry : entry.slice(at + 1)).trim();
    if (!CLAIM_NAME.test(field) || !CLAIM_NAME.test(claim)) {
      problems.push('AUTH_UDF_CLAIMS: each entry is `claim` or `field=claim`, printable ASCII without spaces');
    }
    return { field, claim };
  });
}

interface CobaltTiming {
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly maxRetries: number;
  readonly breaker: { readonly minRequests: number; readonly failureRate: number; readonly cooldownMs: number };
  /** Org-wide calls per second to Cobalt, across instances when Redis is configured. */
  readonly maxRps: number;
}

export type CobaltConfig =
  | (CobaltTiming & { readonly kind: 'remote'; readonly baseUrl: string; readonly apiKey: Secret })
  /** Development only: main.ts starts the bundled emulator and points the gateway at it. */
  | (CobaltTiming & { readonly kind: 'embedded-emulator' });

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly maxBodyBytes: number;
    /** Exact origins (scheme://host[:port]) allowed to call cross-origin. */
    readonly corsOrigins: readonly string[];
    /** Proxy hops whose X-Forwarded-For entries are believed. */
    readonly trustProxyHops: number;
    /** How long in-flight requests may take to finish at shutdown. */
    readonly shutdownTimeoutMs: number;
  };
  readonly rateLimits: { readonly mintsPerAccountPerMinute: number; readonly mintsPerIpPerMinute: number };
  readonly logLevel: RawEnv['LOG_LEVEL'];
  readonly cobalt: CobaltConfig;
  readonly auth: AuthConfig & {
    readonly issuer?: string;
    readonly audience?: string;
    readonly linkedAccountClaim: string;
    /** Claims copied into the linked account when it is provisioned. */
    readonly profileClaims: ProfileClaims;
    readonly clockToleranceS: number;
  };
  /** Upsert the linked account when a mint meets "No linked account found", then mint again once. */
  readonly autoProvision: boolean;
  readonly integrations: { readonly cacheTtlS: number };
  readonly graphql: { readonly introspection: boolean; readonly playground: boolean };
  readonly tokenCache: {
    readonly store:
      | { readonly kind: 'memory'; readonly maxEntries: number }
      | {
          readonly kind: 'redis';
          readonly url: Secret;
          readonly commandTimeoutMs: number;
          readonly encryptionKey: Secret;
          readonly oldEncryptionKeys: readonly Secret[];
        };
    readonly refreshMarginS: number | undefined;
    readonly forceRefreshIntervalS: number;
  };
}

/** Thrown with every problem at once; names variables, never their values (some are secrets). */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Secret)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function isAes256Key(value: string): boolean {
  const trimmed = value.trim();
  return /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) && Buffer.from(trimmed, 'base64').length === 32;
}

function parseAlgorithms(raw: string | undefined, fallback: string[]): string[] {
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

/**
 * Parses and cross-checks the environment. The only reader of `process.env` in the codebase: every
 * other module receives the resulting `Config` (or a slice of it) as a parameter.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  // Each variable is parsed on its own so that one bad value does not hide the others' problems,
  // nor the cross-variable rules below.
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const result = schema.safeParse(env[name]);
    if (result.success) values[name] = result.data;
    else problems.push(`${name}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  const fallback = envSchema.parse({});
  const e = { ...fallback, ...values };
  const production = e.NODE_ENV === 'production';

  let auth: AuthConfig;
  if (e.AUTH_JWT_SECRET !== undefined && e.AUTH_JWKS_URL !== undefined) {
    problems.push('AUTH_JWT_SECRET, AUTH_JWKS_URL: set exactly one of them');
    auth = { kind: 'dev-generated' };
  } else if (e.AUTH_JWT_SECRET !== undefined) {
    if (e.AUTH_JWT_SECRET.length < MIN_HMAC_SECRET_LENGTH) {
      // RFC 8725 §3.5: an HMAC key must not be a human-sized password.
      problems.push(`AUTH_JWT_SECRET: must be at least ${MIN_HMAC_SECRET_LENGTH} characters`);
    }
    const algorithms = parseAlgorithms(e.AUTH_JWT_ALGORITHMS, ['HS256']);
    if (algorithms.some((a) => !['HS256', 'HS384', 'HS512'].includes(a))) {
      problems.push('AUTH_JWT_ALGORITHMS: only HS256, HS384 or HS512 go with AUTH_JWT_SECRET');
    }
    auth = { kind: 'secret', secret: new Secret(e.AUTH_JWT_SECRET), algorithms };
  } else if (e.AUTH_JWKS_URL !== undefined) {
    const algorithms = parseAlgorithms(e.AUTH_JWT_ALGORITHMS, ['RS256', 'ES256']);
    if (algorithms.some((a) => !JWKS_ALGORITHMS.includes(a))) {
      problems.push(`AUTH_JWT_ALGORITHMS: with AUTH_JWKS_URL use asymmetric ones (${JWKS_ALGORITHMS.join(', ')})`);
    }
    auth = {
      kind: 'jwks',
      jwksUrl: e.AUTH_JWKS_URL,
      algorithms,
      cacheMaxAgeS: e.AUTH_JWKS_CACHE_MAX_AGE_S,
      maxStaleS: e.AUTH_JWKS_MAX_STALE_S,
    };
  } else {
    if (production) problems.push('AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required in production');
    auth = { kind: 'dev-generated' };
  }

  let cobalt: CobaltConfig;
  const timing: CobaltTiming = {
    timeoutMs: e.COBALT_TIMEOUT_MS,
    deadlineMs: e.COBALT_DEADLINE_MS,
    maxRetries: e.COBALT_MAX_RETRIES,
    breaker: {
      minRequests: e.COBALT_BREAKER_MIN_REQUESTS,
      failureRate: e.COBALT_BREAKER_FAILURE_RATE,
      cooldownMs: e.COBALT_BREAKER_COOLDOWN_MS,
    },
    maxRps: e.COBALT_MAX_RPS,
  };
  if (e.COBALT_API_KEY !== undefined) {
    cobalt = {
      kind: 'remote',
      baseUrl: e.COBALT_BASE_URL.replace(/\/+$/, ''),
      apiKey: new Secret(e.COBALT_API_KEY),
      ...timing,
    };
  } else {
    if (production) problems.push('COBALT_API_KEY: required in production');
    cobalt = { kind: 'embedded-emulator', ...timing };
  }

  const encryptionKeys = [e.TOKEN_ENCRYPTION_KEY, ...(e.TOKEN_ENCRYPTION_KEYS_OLD?.split(',') ?? [])];
  encryptionKeys.forEach((key, index) => {
    if (key !== undefined && !isAes256Key(key)) {
      problems.push(
        `${index === 0 ? 'TOKEN_ENCRYPTION_KEY' : 'TOKEN_ENCRYPTION_KEYS_OLD'}: must be base64 of exactly 32 bytes`,
      );
    }
  });
  let store: Config['tokenCache']['store'] = { kind: 'memory', maxEntries: e.TOKEN_CACHE_MAX_ENTRIES };
  if (e.REDIS_URL !== undefined) {
    if (!/^rediss?:\/\//.test(e.REDIS_URL)) problems.push('REDIS_URL: must start with redis:// or rediss://');
    if (e.TOKEN_ENCRYPTION_KEY === undefined) problems.push('TOKEN_ENCRYPTION_KEY: required with REDIS_URL');
    store = {
      kind: 'redis',
      url: new Secret(e.REDIS_URL),
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      encryptionKey: new Secret(e.TOKEN_ENCRYPTION_KEY ?? ''),
      oldEncryptionKeys: (e.TOKEN_ENCRYPTION_KEYS_OLD?.split(',') ?? []).map((k) => new Secret(k.trim())),
    };
  }

  const corsOrigins = (e.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of corsOrigins) {
    // An origin has no path, no wildcard and no trailing slash: browsers send exactly that form.
    if (!/^https?:\/\/[^/*\s]+$/.test(origin))
      problems.push('CORS_ORIGINS: each entry must look like https://host[:port]');
  }

  const udfClaims = parseUdfClaims(e.AUTH_UDF_CLAIMS, problems);

  if (problems.length > 0) throw new ConfigError(problems);

  return deepFreeze({
    nodeEnv: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      maxBodyBytes: e.MAX_BODY_BYTES,
      corsOrigins,
      trustProxyHops: e.TRUST_PROXY,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    },
    rateLimits: {
      mintsPerAccountPerMinute: e.RATE_LIMIT_MINTS_PER_MINUTE,
      mintsPerIpPerMinute: e.RATE_LIMIT_IP_PER_MINUTE,
    },
    logLevel: e.LOG_LEVEL,
    cobalt,
    auth: {
      ...auth,
      ...(e.AUTH_JWT_ISSUER !== undefined && { issuer: e.AUTH_JWT_ISSUER }),
      ...(e.AUTH_JWT_AUDIENCE !== undefined && { audience: e.AUTH_JWT_AUDIENCE }),
      linkedAccountClaim: e.AUTH_LINKED_ACCOUNT_CLAIM,
      profileClaims: { name: e.AUTH_NAME_CLAIM, udf: udfClaims },
      clockToleranceS: e.AUTH_CLOCK_TOLERANCE_S,
    },
    autoProvision: e.COBALT_AUTO_PROVISION === 'true',
    integrations: { cacheTtlS: e.INTEGRATIONS_CACHE_TTL_S },
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION === undefined ? !production : e.GRAPHQL_INTROSPECTION === 'true',
      playground: e.PLAYGROUND_ENABLED === undefined ? !production : e.PLAYGROUND_ENABLED === 'true',
    },
    tokenCache: {
      store,
      refreshMarginS: e.TOKEN_REFRESH_MARGIN_S,
      forceRefreshIntervalS: e.TOKEN_FORCE_REFRESH_INTERVAL_S,
    },
  });
}
