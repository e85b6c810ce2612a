import { z } from 'zod';

/**
 * Every environment variable the gateway reads, with its default and a one-line description.
 * The README's configuration table is checked against this object by a unit test, so adding a
 * variable here without documenting it fails the build.
 */
const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = (max: number) => z.coerce.number().int().min(1).max(max);
const optionalNonEmpty = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

export const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe('`production` requires a real Cobalt key and an auth method, and turns introspection off.'),
  HOST: z.string().trim().min(1).default('127.0.0.1').describe('Interface to listen on; `0.0.0.0` in a container.'),
  PORT: port.default(4000).describe('TCP port of the gateway (`0` picks a free one).'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level. Secrets are redacted at every level.'),
  COBALT_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .default('https://api.gocobalt.io')
    .describe('Cobalt API base URL. Ignored in the embedded default, which points at the emulator.'),
  COBALT_API_KEY: optionalNonEmpty.describe(
    'Cobalt org API key (`tk…` test, `pk…` production). Unset outside production: the embedded emulator is used.',
  ),
  COBALT_TIMEOUT_MS: positiveMs(120_000)
    .default(5000)
    .describe('Hard deadline for one attempt of a Cobalt call, connection to last byte.'),
  COBALT_DEADLINE_MS: positiveMs(300_000)
    .default(10_000)
    .describe('Deadline for a whole Cobalt operation, retries and their waits included.'),
  COBALT_MAX_RETRIES: z.coerce
    .number()
    .int()
    .min(0)
    .max(5)
    .default(2)
    .describe(
      'Retries of a failed Cobalt call (connection errors, timeouts, 429, 502/503/504 only), with jittered backoff.',
    ),
  COBALT_BREAKER_MIN_REQUESTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(20)
    .describe('Cobalt operations in the 10 s window before the circuit breaker may open.'),
  COBALT_BREAKER_FAILURE_RATE: z.coerce
    .number()
    .gt(0)
    .max(1)
    .default(0.5)
    .describe('Share of failed Cobalt operations (outages, not caller errors) in the window that opens the breaker.'),
  COBALT_BREAKER_COOLDOWN_MS: positiveMs(600_000)
    .default(10_000)
    .describe('How long an open breaker fails fast before one probe call may close it again.'),
  COBALT_MAX_RPS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(20)
    .describe(
      "Org-wide budget of calls to Cobalt per second (Cobalt's documented limit), shared through Redis when set.",
    ),
  AUTH_JWT_SECRET: optionalNonEmpty.describe(
    'HS256 secret of your identity provider (at least 32 characters). Exclusive with `AUTH_JWKS_URL`.',
  ),
  AUTH_JWKS_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .or(z.literal('').transform(() => undefined))
    .describe('JWKS URL of your identity provider (RS256/ES256 keys). Exclusive with `AUTH_JWT_SECRET`.'),
  AUTH_JWT_ALGORITHMS: z
    .string()
    .optional()
    .describe('Comma-separated allowlist for JWKS keys. Default `RS256,ES256`; HS256 with a secret.'),
  AUTH_JWT_ISSUER: optionalNonEmpty.describe('Required `iss` claim, when set.'),
  AUTH_JWT_AUDIENCE: optionalNonEmpty.describe('Required `aud` claim, when set.'),
  AUTH_LINKED_ACCOUNT_CLAIM: z
    .string()
    .trim()
    .min(1)
    .default('sub')
    .describe('JWT claim holding the Cobalt linked account id.'),
  AUTH_NAME_CLAIM: z
    .string()
    .trim()
    .min(1)
    .max(256)
    .default('name')
    .describe("JWT claim holding the user's display name, sent to Cobalt when a linked account is provisioned."),
  AUTH_UDF_CLAIMS: optionalNonEmpty.describe(
    'Comma-separated JWT claims sent to Cobalt as user-defined fields when provisioning (`claim` or `field=claim`).',
  ),
  AUTH_CLOCK_TOLERANCE_S: z.coerce
    .number()
    .int()
    .min(0)
    .max(300)
    .default(30)
    .describe('Leeway in seconds when checking `exp` and `nbf`.'),
  AUTH_JWKS_CACHE_MAX_AGE_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(600)
    .describe('How long fetched JWKS keys are used before the set is fetched again (new keys come sooner).'),
  AUTH_JWKS_MAX_STALE_S: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(3600)
    .describe('While the JWKS URL is unreachable, keep using the last good key set for at most this long.'),
  COBALT_AUTO_PROVISION: z
    .enum(['true', 'false'])
    .default('false')
    .describe(
      'Create the linked account at Cobalt (name and fields from the JWT) when a mint meets "No linked account found". Off by default: linked accounts may count toward the Cobalt bill.',
    ),
  INTEGRATIONS_CACHE_TTL_S: z.coerce
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(30)
    .describe(
      "How long a user's integration list from Cobalt is reused (`0`: never); in Redis with `REDIS_URL`. Mutations clear it.",
    ),
  GRAPHQL_INTROSPECTION: z
    .enum(['true', 'false'])
    .optional()
    .describe('Override introspection. Default: on outside production, off in production.'),
  PLAYGROUND_ENABLED: z
    .enum(['true', 'false'])
    .optional()
    .describe(
      'Serve the offline GraphiQL playground at `GET /graphql`. Default: on outside production, off in production.',
    ),
  CORS_ORIGINS: optionalNonEmpty.describe(
    'Comma-separated browser origins allowed to call `/graphql` cross-origin (e.g. `https://app.example.com`). Unset: none.',
  ),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(256)
    .max(10 * 1024 * 1024)
    .default(64 * 1024)
    .describe('Largest accepted request body; larger ones get HTTP 413.'),
  TRUST_PROXY: z.coerce
    .number()
    .int()
    .min(0)
    .max(10)
    .default(0)
    .describe(
      'Reverse-proxy hops in front of the gateway whose `X-Forwarded-For` entries are trusted for the client IP.',
    ),
  RATE_LIMIT_MINTS_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(30)
    .describe(
      'Calls of `createSessionToken`, `upsertLinkedAccount`, `createConnectUrl`, and integration lookups that reach Cobalt, allowed per linked account per minute; shared through Redis when set.',
    ),
  RATE_LIMIT_IP_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(600)
    .describe('The same calls allowed per client IP per minute; shared through Redis when set.'),
  SHUTDOWN_TIMEOUT_MS: positiveMs(300_000)
    .default(10_000)
    .describe('On SIGTERM/SIGINT, how long in-flight requests may take to finish before the process exits.'),
  REDIS_URL: optionalNonEmpty.describe(
    'Redis for a token cache shared by every instance (`redis://` or `rediss://`). Unset: in-memory cache.',
  ),
  REDIS_COMMAND_TIMEOUT_MS: positiveMs(10_000)
    .default(300)
    .describe('Longest one Redis command may take; past it the cache counts as a miss.'),
  TOKEN_ENCRYPTION_KEY: optionalNonEmpty.describe(
    'Base64 of 32 random bytes sealing tokens in Redis (AES-256-GCM). Required with `REDIS_URL`.',
  ),
  TOKEN_ENCRYPTION_KEYS_OLD: optionalNonEmpty.describe(
    'Comma-separated former `TOKEN_ENCRYPTION_KEY`s, still accepted for reading during a rotation.',
  ),
  TOKEN_REFRESH_MARGIN_S: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .optional()
    .describe(
      'Refresh a cached token this long before it expires. Default: the larger of 5 min and 10 % of its lifetime.',
    ),
  TOKEN_CACHE_MAX_ENTRIES: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .default(100_000)
    .describe('Most tokens the in-memory cache holds (least recently used go first).'),
  TOKEN_FORCE_REFRESH_INTERVAL_S: z.coerce
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(30)
    .describe('At most one `forceRefresh` per linked account per this many seconds.'),
});

export type RawEnv = z.infer<typeof envSchema>;
export type EnvKey = keyof typeof envSchema.shape;
export const envKeys = Object.keys(envSchema.shape) as EnvKey[];
