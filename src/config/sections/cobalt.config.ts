import { z } from 'zod';
import type { DeepReadonly } from '../deep-freeze';
import { Secret } from '../secret';
import { httpUrl, integer, optionalNonEmpty, positiveMs } from './env-values';
import type { ParseContext } from './parse-context';

export const cobaltEnv = z.object({
  COBALT_BASE_URL: httpUrl()
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
  COBALT_MAX_RETRIES: integer(0, 5)
    .default(2)
    .describe(
      'Retries of a failed Cobalt call (connection errors, timeouts, 429, 502/503/504 only), with jittered backoff.',
    ),
  COBALT_BREAKER_MIN_REQUESTS: integer(1, 100_000)
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
  COBALT_MAX_RPS: integer(1, 100_000)
    .default(20)
    .describe(
      "Org-wide budget of calls to Cobalt per second (Cobalt's documented limit), shared through Redis when set.",
    ),
});

type CobaltEnv = z.output<typeof cobaltEnv>;

function parseTiming(env: CobaltEnv) {
  return {
    timeoutMs: env.COBALT_TIMEOUT_MS,
    deadlineMs: env.COBALT_DEADLINE_MS,
    maxRetries: env.COBALT_MAX_RETRIES,
    breaker: {
      minRequests: env.COBALT_BREAKER_MIN_REQUESTS,
      failureRate: env.COBALT_BREAKER_FAILURE_RATE,
      cooldownMs: env.COBALT_BREAKER_COOLDOWN_MS,
    },
    /** Org-wide calls per second to Cobalt, across instances when Redis is configured. */
    maxRps: env.COBALT_MAX_RPS,
  };
}

/**
 * Written out rather than inferred: whether Cobalt is remote or the embedded emulator follows from
 * `COBALT_API_KEY` and `NODE_ENV` together, and the union is what lets a consumer narrow on `kind`.
 */
export type CobaltConfig =
  | (CobaltTiming & { readonly kind: 'remote'; readonly baseUrl: string; readonly apiKey: Secret })
  /** Development only: main.ts starts the bundled emulator and points the gateway at it. */
  | (CobaltTiming & { readonly kind: 'embedded-emulator' });

type CobaltTiming = DeepReadonly<ReturnType<typeof parseTiming>>;

export function parseCobalt(env: CobaltEnv, { production, problems }: ParseContext): CobaltConfig {
  const timing = parseTiming(env);
  if (env.COBALT_API_KEY === undefined) {
    if (production) problems.push('COBALT_API_KEY: required in production');
    return { kind: 'embedded-emulator', ...timing };
  }
  return {
    kind: 'remote',
    baseUrl: env.COBALT_BASE_URL.replace(/\/+$/, ''),
    apiKey: new Secret(env.COBALT_API_KEY),
    ...timing,
  };
}
