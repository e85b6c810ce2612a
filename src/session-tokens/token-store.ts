import type { ErrorCode } from '../errors/error-code';

/** A cached session token. Times are epoch milliseconds. */
export interface CachedToken {
  readonly token: string;
  readonly linkedAccountId: string;
  readonly expiresAt: number;
  /** After this instant the token is served only as a stale fallback, never as fresh. */
  readonly refreshAt: number;
}

/** What a mint led by another instance ended with, as it is broadcast to the others. */
export type FlightOutcome =
  { readonly ok: true } | { readonly ok: false; readonly code: ErrorCode; readonly retryAfterSeconds?: number };

export type Flight =
  | { readonly role: 'leader'; finish(outcome: FlightOutcome): Promise<void> }
  | { readonly role: 'follower'; readonly outcome: FlightOutcome | 'timeout' };

export type StoreHealth = 'ok' | 'degraded';

/**
 * Where session tokens are cached, keyed by linked account. Implementations never throw from these
 * methods: a store that cannot answer behaves as a miss and reports `degraded`, because a cache
 * outage must never fail a mint.
 */
export interface TokenStore {
  readonly kind: 'memory' | 'redis';
  /** Resolves once usable, or degraded (a store that cannot connect still resolves). */
  connect(): Promise<void>;
  get(linkedAccountId: string): Promise<CachedToken | undefined>;
  /**
   * A token this process holds and may serve as is (before its refresh point), found without any
   * I/O; undefined when serving it would need the shared store. Only a store with a process tier has it.
   */
  peek?(linkedAccountId: string): CachedToken | undefined;
  set(linkedAccountId: string, value: CachedToken): Promise<void>;
  delete(linkedAccountId: string): Promise<void>;
  /**
   * Single flight across instances: the first caller becomes the leader and mints; the others wait
   * (at most `maxWaitMs`) for its outcome. The memory store always answers `leader`.
   */
  beginFlight(linkedAccountId: string, maxWaitMs: number): Promise<Flight>;
  /** Claims the account's one forced refresh per `intervalMs`; else says how long until the next. */
  claimForceRefresh(
    linkedAccountId: string,
    intervalMs: number,
  ): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
  health(): StoreHealth;
  close(): Promise<void>;
}

/**
 * Tells the other instances that an account's token changed (a mint, a forced refresh, a revoke),
 * so they drop what they hold in process. Messages name the account by its opaque key
 * (`CacheKeys.account`), never the raw id; an instance never hears its own.
 */
export interface InvalidationBus {
  /** Best effort: resolves whether or not the message could be sent. */
  publishInvalidation(linkedAccountId: string): Promise<void>;
  onInvalidation(handler: (accountKey: string) => void): void;
}
