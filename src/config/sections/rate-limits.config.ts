import { z } from 'zod';
import type { DeepReadonly } from '../deep-freeze';
import { integer } from './env-values';

export const rateLimitsEnv = z.object({
  RATE_LIMIT_MINTS_PER_MINUTE: integer(1, 1_000_000)
    .default(30)
    .describe(
      'Calls of `createSessionToken`, `upsertLinkedAccount`, `createConnectUrl`, and integration lookups that reach Cobalt, allowed per linked account per minute; shared through Redis when set (a token served from process memory counts on its instance only).',
    ),
  RATE_LIMIT_IP_PER_MINUTE: integer(1, 1_000_000)
    .default(600)
    .describe('The same calls allowed per client IP per minute; shared through Redis when set.'),
});

export function parseRateLimits(env: z.output<typeof rateLimitsEnv>) {
  return {
    mintsPerAccountPerMinute: env.RATE_LIMIT_MINTS_PER_MINUTE,
    mintsPerIpPerMinute: env.RATE_LIMIT_IP_PER_MINUTE,
  };
}

export type RateLimitsConfig = DeepReadonly<ReturnType<typeof parseRateLimits>>;
