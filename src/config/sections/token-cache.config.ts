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
  TOKEN_CACHE_L1_TTL_S: integer(0, 3600)
    .default(60)
    .describe(
      'With Redis: longest a token is served from process memory before Redis is read again; bounds how long a revoke elsewhere can go unseen (`0`: off).',
    ),
});

export function parseTokenCache(
  env: z.output<typeof tokenCacheEnv> & z.output<typeof tokenStoreEnv> & z.output<typeof redisEnv>,
  context: ParseContext,
) {
  const namespace = env.TOKEN_CACHE_NAMESPACE;
  if (namespace !== undefined && !/^[\w.-]{1,64}$/.test(namespace)) {
    context.problems.push('TOKEN_CACHE_NAMESPACE: letters, digits, `.`, `_` and `-` only, at most 64');
  }
  return {
    store: parseTokenStore(env, context),
    /** Names the Cobalt environment cached tokens belong to; unset: from the API key's prefix. */
    namespace,
    refreshMarginS: env.TOKEN_REFRESH_MARGIN_S,
    forceRefreshIntervalS: env.TOKEN_FORCE_REFRESH_INTERVAL_S,
    /** The in-process tier in front of Redis; bounded like the memory store. */
    l1: { ttlS: env.TOKEN_CACHE_L1_TTL_S, maxEntries: env.TOKEN_CACHE_MAX_ENTRIES },
  };
}

export type TokenCacheConfig = DeepReadonly<ReturnType<typeof parseTokenCache>>;
