import type { CobaltDataSource } from '../cobalt/cobalt.data-source';
import type { LinkedAccountProfile } from '../cobalt/linked-account';
import type { CobaltSessionToken } from '../cobalt/session-token';
import { ErrorCode } from '../errors/error-code';
import { GatewayError } from '../errors/gateway-error';
import { systemClock, type Clock } from '../infra/clock';
import type { Logger } from '../observability/logger';
import { SingleFlight } from './single-flight';
import type { CachedToken, FlightOutcome, TokenStore } from './token-store';

export interface SessionTokenPolicy {
  /** Fixed refresh margin; undefined for the default max(5 min, 10 % of the token's lifetime). */
  readonly refreshMarginMs?: number;
  /** One forced refresh per account per this interval. */
  readonly forceRefreshIntervalMs: number;
  /** How long another instance's mint is awaited before minting here too. */
  readonly flightWaitMs: number;
  /** Upsert the linked account when Cobalt says it does not exist, then mint again once. */
  readonly autoProvision?: boolean;
}

export interface GetTokenOptions {
  readonly forceRefresh?: boolean;
  /** Name and fields for the linked account, should this mint have to provision it. */
  readonly profile?: LinkedAccountProfile;
}

/** Counters the metrics endpoint will export. */
export interface SessionTokenStats {
  hits: number;
  misses: number;
  coalescedWaits: number;
  staleServes: number;
  forceRefreshes: number;
  cobaltCalls: number;
  provisions: number;
}

const DEFAULT_MIN_MARGIN_MS = 5 * 60_000;
// A stale token is served only with this much life left: one expiring in seconds helps nobody.
const STALE_MIN_REMAINING_MS = 30_000;
// A token issued this recently was minted for us, not reused; asking Cobalt again will not help.
const FRESHLY_ISSUED_MS = 5_000;
const STALE_IF_ERROR: ReadonlySet<ErrorCode> = new Set([ErrorCode.COBALT_UNAVAILABLE, ErrorCode.COBALT_RATE_LIMITED]);

/**
 * The policy between the resolver and Cobalt: a token per linked account, cached until shortly
 * before it expires, minted once however many requests ask at the same time (in this process and,
 * with Redis, across instances), refreshed when Cobalt hands back a reused token that is about to
 * expire, and served stale when Cobalt is down but the cached token still works.
 */
export class SessionTokenService {
  readonly stats: SessionTokenStats = {
    hits: 0,
    misses: 0,
    coalescedWaits: 0,
    staleServes: 0,
    forceRefreshes: 0,
    cobaltCalls: 0,
    provisions: 0,
  };
  readonly #flights = new SingleFlight<CachedToken>();

  constructor(
    private readonly deps: {
      readonly cobalt: Pick<CobaltDataSource, 'createSessionToken' | 'revokeSessionToken' | 'upsertLinkedAccount'>;
      readonly store: TokenStore;
      readonly policy: SessionTokenPolicy;
      readonly log: Logger;
      /** Decides hits, margins and staleness; the store reads the same time. */
      readonly clock?: Clock;
    },
  ) {}

  /**
   * The account's token. Provisioning (when enabled) happens inside the mint that the flight leader
   * runs, so however many first requests arrive at once, here or on other instances, Cobalt sees one
   * upsert. The profile of whichever request leads is the one sent.
   */
  /**
   * The account's token when this process can serve it without any I/O (the store's process tier,
   * before the token's refresh point); undefined when getting it needs the shared store or Cobalt.
   */
  cachedInProcess(linkedAccountId: string): CachedToken | undefined {
    const held = this.deps.store.peek?.(linkedAccountId);
    if (held === undefined || held.refreshAt <= this.#now()) return undefined;
    this.stats.hits += 1;
    return held;
  }

  async getToken(linkedAccountId: string, options: GetTokenOptions = {}): Promise<CachedToken> {
    const profile = options.profile ?? {};
    if (options.forceRefresh === true) return this.#forceRefresh(linkedAccountId, profile);
    const cached = await this.deps.store.get(linkedAccountId);
    if (cached !== undefined && cached.refreshAt > this.#now()) {
      this.stats.hits += 1;
      return cached;
    }
    this.stats.misses += 1;
    return this.#coalesce(`mint:${linkedAccountId}`, () => this.#refresh(linkedAccountId, cached, profile));
  }

  /** Revokes the account's cached token at Cobalt and forgets it. False when none was cached. */
  async revoke(linkedAccountId: string): Promise<boolean> {
    const cached = await this.deps.store.get(linkedAccountId);
    if (cached === undefined) return false;
    try {
      this.stats.cobaltCalls += 1;
      return await this.deps.cobalt.revokeSessionToken(cached.token);
    } finally {
      await this.deps.store.delete(linkedAccountId);
    }
  }

  #forceRefresh(linkedAccountId: string, profile: LinkedAccountProfile): Promise<CachedToken> {
    // Claimed inside the coalesced work, so widgets reacting to the same Cobalt refusal in the same
    // tick join one rotation instead of all but one being refused.
    return this.#coalesce(`force:${linkedAccountId}`, async () => {
      const claim = await this.deps.store.claimForceRefresh(linkedAccountId, this.deps.policy.forceRefreshIntervalMs);
      if (!claim.ok) {
        throw new GatewayError(ErrorCode.RATE_LIMITED, {
          retryAfterSeconds: Math.max(1, Math.ceil(claim.retryAfterMs / 1000)),
        });
      }
      this.stats.forceRefreshes += 1;
      const entry = this.#toEntry(await this.#mint(linkedAccountId, true, profile));
      await this.deps.store.set(linkedAccountId, entry);
      return entry;
    });
  }

  #coalesce(key: string, work: () => Promise<CachedToken>): Promise<CachedToken> {
    const { promise, joined } = this.#flights.run(key, work);
    if (joined) this.stats.coalescedWaits += 1;
    return promise;
  }

  async #refresh(
    linkedAccountId: string,
    stale: CachedToken | undefined,
    profile: LinkedAccountProfile,
  ): Promise<CachedToken> {
    const flight = await this.deps.store.beginFlight(linkedAccountId, this.deps.policy.flightWaitMs);
    if (flight.role === 'follower') {
      this.stats.coalescedWaits += 1;
      const settled = await this.#followerResult(linkedAccountId, flight.outcome, stale);
      if (settled !== undefined) return settled;
      // The leader timed out or its token is not readable here: mint ourselves.
    }
    try {
      const entry = await this.#mintFresh(linkedAccountId, profile);
      await this.deps.store.set(linkedAccountId, entry);
      if (flight.role === 'leader') await flight.finish({ ok: true });
      return entry;
    } catch (error) {
      if (flight.role === 'leader') await flight.finish(this.#outcomeOf(error));
      return this.#staleOrThrow(error, stale);
    }
  }

  async #followerResult(
    linkedAccountId: string,
    outcome: FlightOutcome | 'timeout',
    stale: CachedToken | undefined,
  ): Promise<CachedToken | undefined> {
    if (outcome === 'timeout') return undefined;
    if (outcome.ok) {
      // Only a token the leader actually refreshed; anything else and we mint ourselves.
      const stored = await this.deps.store.get(linkedAccountId);
      const refreshed = stored !== undefined && stored.token !== stale?.token;
      return refreshed && stored.expiresAt - this.#now() > STALE_MIN_REMAINING_MS ? stored : undefined;
    }
    const error = new GatewayError(
      outcome.code,
      outcome.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: outcome.retryAfterSeconds },
    );
    return this.#staleOrThrow(error, stale);
  }

  /** Mints; if Cobalt hands back a reused token already inside the margin, asks it to rotate once. */
  async #mintFresh(linkedAccountId: string, profile: LinkedAccountProfile): Promise<CachedToken> {
    const first = await this.#mint(linkedAccountId, false, profile);
    const entry = this.#toEntry(first);
    const reused = first.issuedAt === undefined || this.#now() - first.issuedAt.getTime() > FRESHLY_ISSUED_MS;
    if (entry.refreshAt > this.#now() || !reused) return entry;
    this.deps.log.info(
      { event: 'reused-token-near-expiry' },
      'Cobalt reused a token inside the refresh margin; forcing a refresh',
    );
    return this.#toEntry(await this.#mint(linkedAccountId, true, profile));
  }

  async #mint(
    linkedAccountId: string,
    forceRefresh: boolean,
    profile: LinkedAccountProfile,
  ): Promise<CobaltSessionToken> {
    this.stats.cobaltCalls += 1;
    try {
      return await this.deps.cobalt.createSessionToken(linkedAccountId, { forceRefresh });
    } catch (error) {
      const unknownAccount = error instanceof GatewayError && error.code === ErrorCode.LINKED_ACCOUNT_NOT_FOUND;
      if (!unknownAccount || this.deps.policy.autoProvision !== true) throw error;
    }
    // Cobalt's session-token route never creates a linked account (docs/cobalt-contract.md#unknown-linked-account):
    // create it, then mint once more.
    this.stats.provisions += 1;
    this.stats.cobaltCalls += 2;
    await this.deps.cobalt.upsertLinkedAccount(linkedAccountId, profile);
    this.deps.log.info({ event: 'linked-account-provisioned' }, 'provisioned the linked account at Cobalt');
    return this.deps.cobalt.createSessionToken(linkedAccountId, { forceRefresh });
  }

  #toEntry(token: CobaltSessionToken): CachedToken {
    const now = this.#now();
    const expiresAt = token.expiresAt.getTime();
    const lifetime = expiresAt - (token.issuedAt?.getTime() ?? now);
    const margin = this.deps.policy.refreshMarginMs ?? Math.max(DEFAULT_MIN_MARGIN_MS, lifetime / 10);
    return { token: token.token, linkedAccountId: token.linkedAccountId, expiresAt, refreshAt: expiresAt - margin };
  }

  #staleOrThrow(error: unknown, stale: CachedToken | undefined): CachedToken {
    const usable = stale !== undefined && stale.expiresAt - this.#now() > STALE_MIN_REMAINING_MS;
    if (error instanceof GatewayError && STALE_IF_ERROR.has(error.code) && usable) {
      this.stats.staleServes += 1;
      this.deps.log.warn(
        {
          event: 'stale-token-served',
          code: error.code,
          remainingS: Math.round((stale.expiresAt - this.#now()) / 1000),
        },
        'Cobalt failed; serving the cached token that is still valid',
      );
      return stale;
    }
    throw error;
  }

  #outcomeOf(error: unknown): FlightOutcome {
    if (!(error instanceof GatewayError)) return { ok: false, code: ErrorCode.INTERNAL_SERVER_ERROR };
    const retryAfterSeconds = error.extensions.retryAfterSeconds;
    return { ok: false, code: error.code, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) };
  }

  #now(): number {
    return (this.deps.clock ?? systemClock).now();
  }
}
