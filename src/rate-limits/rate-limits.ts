import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { CobaltCallBudget } from '../cobalt/call-budget';
import { ErrorCode } from '../errors/error-code';
import { GatewayError } from '../errors/gateway-error';
import { systemClock, type Clock } from '../infra/clock';
import type { CacheKeys } from '../infra/crypto/key-derivation';
import type { SharedRedis } from '../infra/redis/shared-redis';
import { ipBucket } from './ip-bucket';

export interface RateLimitSettings {
  readonly mintsPerAccountPerMinute: number;
  readonly mintsPerIpPerMinute: number;
  /** Org-wide calls per second to Cobalt. */
  readonly cobaltCallsPerSecond: number;
}

export type RateLimitName = 'mints-per-account' | 'mints-per-ip' | 'cobalt-calls';

/** Checked before a mint: throws RATE_LIMITED with `retryAfterSeconds` when the caller is over. */
export interface MintRateLimits {
  check(linkedAccountId: string, clientIp: string): Promise<void>;
  /**
   * The same limits on this instance's own counters only, for a call answered from process memory:
   * it reaches neither Cobalt nor Redis, so a shared count is not worth a round trip per call.
   */
  checkInProcess(linkedAccountId: string, clientIp: string): Promise<void>;
}

export interface RateLimits {
  readonly mints: MintRateLimits;
  readonly cobaltCalls: CobaltCallBudget;
  readonly kind: 'memory' | 'redis';
}

// Wakes budget waiters at slightly different moments so they do not all retry in the same tick.
const WAIT_JITTER_MS = 25;

/**
 * Abuse controls in one place. Mints are limited per linked account and per
 * client IP, counted inside the resolver so aliases or batching cannot slip past an HTTP-level
 * counter; calls to Cobalt share one org-wide budget so one burst of users cannot get the whole
 * organisation throttled by Cobalt. With Redis the counters are shared by every instance; if Redis
 * is down, each instance falls back to its own in-memory counters (limits then apply per instance)
 * rather than failing requests or letting everything through.
 */
export function createRateLimits(
  settings: RateLimitSettings,
  deps: {
    readonly keys: CacheKeys;
    /** Shared counters across instances; none: per-process counters. */
    readonly redis?: SharedRedis;
    readonly clock?: Clock;
    readonly onReject?: (limit: RateLimitName) => void;
  },
): RateLimits {
  const redis = deps.redis?.command;
  const limiter = (name: RateLimitName, points: number, duration: number): Limiter => {
    const memory = new RateLimiterMemory({ points, duration, keyPrefix: name });
    if (redis === undefined) return { shared: memory, inProcess: memory };
    const shared = new RateLimiterRedis({
      storeClient: redis,
      points,
      duration,
      keyPrefix: `cgw:v1:rl:${name}`,
      // Not ready → the in-memory insurance answers at once instead of waiting out a timeout.
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
    // The insurance counters double as the in-process ones: both count what this instance served alone.
    return { shared, inProcess: memory };
  };
  const perAccount = limiter('mints-per-account', settings.mintsPerAccountPerMinute, 60);
  const perIp = limiter('mints-per-ip', settings.mintsPerIpPerMinute, 60);
  const cobalt = limiter('cobalt-calls', settings.cobaltCallsPerSecond, 1);
  const rejected = (name: RateLimitName) => deps.onReject?.(name);

  return {
    kind: redis === undefined ? 'memory' : 'redis',
    mints: new LimiterMintRateLimits(perAccount, perIp, deps.keys, redis !== undefined, rejected),
    cobaltCalls: new LimiterCobaltCallBudget(
      cobalt.shared,
      `${deps.keys.environment}:org`,
      deps.clock ?? systemClock,
      rejected,
    ),
  };
}

/** A limit's shared counters (Redis, or memory without it) and this instance's own. */
interface Limiter {
  readonly shared: RateLimiterAbstract;
  readonly inProcess: RateLimiterAbstract;
}

class LimiterMintRateLimits implements MintRateLimits {
  constructor(
    private readonly perAccount: Limiter,
    private readonly perIp: Limiter,
    private readonly keys: CacheKeys,
    // Shared stores hold no raw account ids or IPs: keys are HMAC'ed like the token cache's.
    private readonly opaqueKeys: boolean,
    private readonly rejected: (limit: RateLimitName) => void,
  ) {}

  check(linkedAccountId: string, clientIp: string): Promise<void> {
    return this.#check('shared', linkedAccountId, clientIp);
  }

  checkInProcess(linkedAccountId: string, clientIp: string): Promise<void> {
    return this.#check('inProcess', linkedAccountId, clientIp);
  }

  async #check(counters: keyof Limiter, linkedAccountId: string, clientIp: string): Promise<void> {
    const bucket = ipBucket(clientIp);
    const ipKey = this.opaqueKeys ? this.keys.clientIp(bucket) : bucket;
    const accountKey = this.opaqueKeys ? this.keys.account(linkedAccountId) : linkedAccountId;
    await consumeOrThrow(this.perIp[counters], ipKey, () => this.rejected('mints-per-ip'));
    await consumeOrThrow(this.perAccount[counters], accountKey, () => this.rejected('mints-per-account'));
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
    private readonly clock: Clock,
    private readonly rejected: (limit: RateLimitName) => void,
  ) {}

  async acquire(maxWaitMs: number): Promise<void> {
    const giveUpAt = this.clock.monotonic() + maxWaitMs;
    for (;;) {
      const verdict = await consume(this.limiter, this.key);
      if (verdict === 'ok') return;
      const waitMs = verdict + Math.floor(Math.random() * WAIT_JITTER_MS);
      if (this.clock.monotonic() + waitMs > giveUpAt) {
        this.rejected('cobalt-calls');
        throw new GatewayError(ErrorCode.COBALT_RATE_LIMITED, {
          retryAfterSeconds: Math.max(1, Math.ceil(verdict / 1000)),
        });
      }
      await this.clock.sleep(waitMs);
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
