import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { CobaltCallBudget } from '../cobalt/call-budget';
import type { Secret } from '../config/secret';
import { ErrorCode } from '../errors/error-code';
import { GatewayError } from '../errors/gateway-error';
import type { Logger } from '../observability/logger';
import { createRedisClient } from '../redis/redis-client';
import { ipBucket } from './ip-bucket';
import { deriveCacheKeys, type CacheKeys } from '../session-tokens/cache-keys';

export interface RateLimitSettings {
  readonly mintsPerAccountPerMinute: number;
  readonly mintsPerIpPerMinute: number;
  /** Org-wide calls per second to Cobalt. */
  readonly cobaltCallsPerSecond: number;
  /** Shared counters across instances; unset: per-process counters. */
  readonly redis?: { readonly url: Secret; readonly commandTimeoutMs: number };
}

export type RateLimitName = 'mints-per-account' | 'mints-per-ip' | 'cobalt-calls';

/** Checked before a mint: throws RATE_LIMITED with `retryAfterSeconds` when the caller is over. */
export interface MintRateLimits {
  check(linkedAccountId: string, clientIp: string): Promise<void>;
}

export interface RateLimits {
  readonly mints: MintRateLimits;
  readonly cobaltCalls: CobaltCallBudget;
  readonly kind: 'memory' | 'redis';
  connect(): Promise<void>;
  close(): Promise<void>;
}

// Wakes budget waiters at slightly different moments so they do not all retry in the same tick.
const WAIT_JITTER_MS = 25;

/**
 * Abuse controls in one place (RELIABILITY.md §5.1). Mints are limited per linked account and per
 * client IP, counted inside the resolver so aliases or batching cannot slip past an HTTP-level
 * counter; calls to Cobalt share one org-wide budget so one burst of users cannot get the whole
 * organisation throttled by Cobalt. With Redis the counters are shared by every instance; if Redis
 * is down, each instance falls back to its own in-memory counters (limits then apply per instance)
 * rather than failing requests or letting everything through.
 */
export function createRateLimits(
  settings: RateLimitSettings,
  deps: { readonly apiKey: Secret; readonly log: Logger; readonly onReject?: (limit: RateLimitName) => void },
): RateLimits {
  const keys = deriveCacheKeys(deps.apiKey);
  const redis =
    settings.redis === undefined
      ? undefined
      : createRedisClient(settings.redis.url.reveal(), { commandTimeoutMs: settings.redis.commandTimeoutMs });
  redis?.on('error', () => {
    // The token store logs Redis outages (once a minute); a second voice here would only add noise.
  });
  const limiter = (name: RateLimitName, points: number, duration: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ points, duration, keyPrefix: name });
    if (redis === undefined) return memory;
    return new RateLimiterRedis({
      storeClient: redis,
      points,
      duration,
      keyPrefix: `cgw:v1:rl:${name}`,
      // Not ready → the in-memory insurance answers at once instead of waiting out a timeout.
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  };
  const perAccount = limiter('mints-per-account', settings.mintsPerAccountPerMinute, 60);
  const perIp = limiter('mints-per-ip', settings.mintsPerIpPerMinute, 60);
  const cobalt = limiter('cobalt-calls', settings.cobaltCallsPerSecond, 1);
  const rejected = (name: RateLimitName) => deps.onReject?.(name);

  return {
    kind: redis === undefined ? 'memory' : 'redis',
    mints: new LimiterMintRateLimits(perAccount, perIp, keys, redis !== undefined, rejected),
    cobaltCalls: new LimiterCobaltCallBudget(cobalt, `${keys.environment}:org`, rejected),
    async connect() {
      await redis?.connect().catch(() => undefined);
    },
    close() {
      redis?.disconnect();
      return Promise.resolve();
    },
  };
}

class LimiterMintRateLimits implements MintRateLimits {
  constructor(
    private readonly perAccount: RateLimiterAbstract,
    private readonly perIp: RateLimiterAbstract,
    private readonly keys: CacheKeys,
    // Shared stores hold no raw account ids or IPs: keys are HMAC'ed like the token cache's.
    private readonly opaqueKeys: boolean,
    private readonly rejected: (limit: RateLimitName) => void,
  ) {}

  async check(linkedAccountId: string, clientIp: string): Promise<void> {
    const bucket = ipBucket(clientIp);
    const ipKey = this.opaqueKeys ? this.keys.clientIp(bucket) : bucket;
    const accountKey = this.opaqueKeys ? this.keys.account(linkedAccountId) : linkedAccountId;
    await consumeOrThrow(this.perIp, ipKey, () => this.rejected('mints-per-ip'));
    await consumeOrThrow(this.perAccount, accountKey, () => this.rejected('mints-per-account'));
  }
}

async function consumeOrThrow(limiter: RateLimiterAbstract, key: string, onReject: () => void): Promise<void> {
  const verdict = await consume(limiter, key);
  if (verdict === 'ok') return;
  onReject();
  throw new GatewayError(ErrorCode.RATE_LIMITED, { retryAfterSeconds: Math.max(1, Math.ceil(verdict / 1000)) });
}

class LimiterCobaltCallBudget implements CobaltCallBudget {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly key: string,
    private readonly rejected: (limit: RateLimitName) => void,
  ) {}

  async acquire(maxWaitMs: number): Promise<void> {
    const giveUpAt = performance.now() + maxWaitMs;
    for (;;) {
      const verdict = await consume(this.limiter, this.key);
      if (verdict === 'ok') return;
      const waitMs = verdict + Math.floor(Math.random() * WAIT_JITTER_MS);
      if (performance.now() + waitMs > giveUpAt) {
        this.rejected('cobalt-calls');
        throw new GatewayError(ErrorCode.COBALT_RATE_LIMITED, {
          retryAfterSeconds: Math.max(1, Math.ceil(verdict / 1000)),
        });
      }
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/** 'ok', or the milliseconds until the key has points again. */
async function consume(limiter: RateLimiterAbstract, key: string): Promise<'ok' | number> {
  try {
    await limiter.consume(key);
    return 'ok';
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection.msBeforeNext;
    // Neither Redis nor the insurance limiter answered: a limiter fault must not fail the mint.
    return 'ok';
  }
}
