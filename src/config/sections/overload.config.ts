import { z } from 'zod';
import type { DeepReadonly } from '../deep-freeze';
import { integer } from './env-values';

export const overloadEnv = z.object({
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: integer(0, 60_000)
    .default(200)
    .describe(
      'Event-loop delay past which new GraphQL requests are refused with HTTP 503 `OVERLOADED` until it falls again (`0`: off).',
    ),
  OVERLOAD_MAX_HEAP_USED_RATIO: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.98)
    .describe(
      "Share of V8's heap limit in use past which new GraphQL requests are refused with HTTP 503 `OVERLOADED` (`0`: off).",
    ),
  OVERLOAD_MAX_IN_FLIGHT: integer(0, 1_000_000)
    .default(256)
    .describe(
      'GraphQL requests admitted and not yet answered past which new ones are refused with HTTP 503 `OVERLOADED` (`0`: off).',
    ),
  OVERLOAD_RETRY_AFTER_S: integer(1, 300)
    .default(2)
    .describe('`Retry-After` (and `retryAfterSeconds`) sent with an `OVERLOADED` refusal.'),
});

export function parseOverload(env: z.output<typeof overloadEnv>) {
  return {
    /** 0: the event-loop delay is not watched. */
    maxEventLoopDelayMs: env.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS,
    /** 0: the heap is not watched. */
    maxHeapUsedRatio: env.OVERLOAD_MAX_HEAP_USED_RATIO,
    /** 0: no bound on requests in flight. */
    maxInFlight: env.OVERLOAD_MAX_IN_FLIGHT,
    retryAfterSeconds: env.OVERLOAD_RETRY_AFTER_S,
  };
}

export type OverloadConfig = DeepReadonly<ReturnType<typeof parseOverload>>;
