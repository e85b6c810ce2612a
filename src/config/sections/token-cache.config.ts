import { z } from 'zod';
import type { DeepReadonly } from '../deep-freeze';
import { integer } from './env-values';
import type { ParseContext } from './parse-context';
import type { redisEnv } from './redis.config';
import { parseTokenStore, type tokenStoreEnv } from './token-store.config';

/** When cached session tokens are minted again; where they are kept is in token-store.config.ts. */
export const tokenCacheEnv = z.object({
  TOKEN_REFRESH_MARGIN_S: integer(0, 7 * 24 * 3600)
    .optional()
    .describe(
      'Refresh a cached token this long before it expires. Default: the larger of 5 min and 10 % of its lifetime.',
    ),
  TOKEN_FORCE_REFRESH_INTERVAL_S: integer(0, 3600)
    .default(30)
    .describe('At most one `forceRefresh` per linked account per this many seconds.'),
});

export function parseTokenCache(
  env: z.output<typeof tokenCacheEnv> & z.output<typeof tokenStoreEnv> & z.output<typeof redisEnv>,
  context: ParseContext,
) {
  return {
    store: parseTokenStore(env, context),
    refreshMarginS: env.TOKEN_REFRESH_MARGIN_S,
    forceRefreshIntervalS: env.TOKEN_FORCE_REFRESH_INTERVAL_S,
  };
}

export type TokenCacheConfig = DeepReadonly<ReturnType<typeof parseTokenCache>>;
