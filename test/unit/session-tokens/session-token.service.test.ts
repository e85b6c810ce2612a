import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from '../../../src/errors/error-code';
import { GatewayError } from '../../../src/errors/gateway-error';
import { MemoryTokenStore } from '../../../src/session-tokens/memory-token-store';
import { SessionTokenService, type SessionTokenPolicy } from '../../../src/session-tokens/session-token.service';
import type { CachedToken, FlightOutcome, TokenStore } from '../../../src/session-tokens/token-store';
import { captureLogs } from '../../support/capture-logger';
import { FakeCobalt, failWith, HOUR } from '../../support/fake-cobalt';
import { flushMicrotasks, ManualClock } from '../../support/manual-clock';

const MINUTE = 60_000;
const FORCE_INTERVAL_MS = 30_000;
const keys = {
  environment: 'test-env',
  account: (id: string) => id,
  clientIp: (ip: string) => ip,
  formerAccounts: () => [],
};

/**
 * A shared store as one of several instances sees it: tokens in a map, and the cross-instance flight
 * scripted (`leader`, or a follower told how another instance's mint ended).
 */
class FlightStore implements TokenStore {
  readonly kind = 'redis' as const;
  readonly tokens = new Map<string, CachedToken>();
  readonly finished: FlightOutcome[] = [];
  flight: 'leader' | FlightOutcome | 'timeout' = 'leader';
  /** What the leader does while this instance follows (e.g. write its token). */
  whileFollowing: () => void = () => undefined;

  connect = () => Promise.resolve();
  get = (id: string) => Promise.resolve(this.tokens.get(id));
  set = (id: string, value: CachedToken) => Promise.resolve(void this.tokens.set(id, value));
  delete = (id: string) => Promise.resolve(void this.tokens.delete(id));
  claimForceRefresh = () => Promise.resolve({ ok: true as const });
  health = () => 'ok' as const;
  close = () => Promise.resolve();

  beginFlight() {
    if (this.flight === 'leader') {
      return Promise.resolve({
        role: 'leader' as const,
        finish: (outcome: FlightOutcome) => Promise.resolve(void this.finished.push(outcome)),
      });
    }
    this.whileFollowing();
    return Promise.resolve({ role: 'follower' as const, outcome: this.flight });
  }
}

function setUp(options: { policy?: Partial<SessionTokenPolicy>; store?: (clock: ManualClock) => TokenStore } = {}) {
  const clock = new ManualClock();
  const cobalt = new FakeCobalt(clock);
  const store = options.store?.(clock) ?? new MemoryTokenStore({ maxEntries: 100, keys, clock });
  const logs = captureLogs();
  const service = new SessionTokenService({
    cobalt,
    store,
    log: logs.log,
    clock,
    policy: { forceRefreshIntervalMs: FORCE_INTERVAL_MS, flightWaitMs: 5_000, ...options.policy },
  });
  const events = () => logs.parsed().map((line) => line['event']);
  return { clock, cobalt, store, service, events };
}

/** The error a rejected promise carries, for asserting its code and extensions. */
async function rejectionOf(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a rejection');
}

describe('getToken', () => {
  it('mints on a miss and answers later requests from the cache', async () => {
    const { cobalt, service } = setUp();

    const first = await service.getToken('ada');
    const second = await service.getToken('ada');

    expect(second).toEqual(first);
    expect(first).toMatchObject({ token: 'session-token-1', linkedAccountId: 'ada' });
    expect(cobalt.mints).toEqual([{ linkedAccountId: 'ada', forceRefresh: false }]);
    expect(service.stats).toMatchObject({ hits: 1, misses: 1, cobaltCalls: 1 });
  });

  it('keeps one cache entry per account', async () => {
    const { cobalt, service } = setUp();

    const ada = await service.getToken('ada');
    const bob = await service.getToken('bob');

    expect(ada.token).not.toBe(bob.token);
    expect(bob.linkedAccountId).toBe('bob');
    expect(cobalt.mints.map((m) => m.linkedAccountId)).toEqual(['ada', 'bob']);
  });

  it.each([
    ['10 % of a 72 h lifetime', 72 * HOUR, 7.2 * HOUR],
    ['5 minutes, more than 10 % of a 30 min lifetime', 30 * MINUTE, 5 * MINUTE],
  ])('refreshes once inside the default margin, here %s', async (_label, lifetimeMs, marginMs) => {
    const { clock, cobalt, service } = setUp();
    cobalt.answer((id) => cobalt.issue(id, { lifetimeMs }));
    const first = await service.getToken('ada');

    await clock.advance(lifetimeMs - marginMs - 1000);
    const outsideMargin = await service.getToken('ada');
    await clock.advance(1000);
    const insideMargin = await service.getToken('ada');

    expect(first.refreshAt).toBe(first.expiresAt - marginMs);
    expect(outsideMargin.token).toBe(first.token);
    expect(insideMargin.token).not.toBe(first.token);
    expect(cobalt.mints).toHaveLength(2);
  });

  it('refreshes at a fixed margin when one is configured', async () => {
    const { clock, cobalt, service } = setUp({ policy: { refreshMarginMs: MINUTE } });
    const first = await service.getToken('ada');

    await clock.advance(72 * HOUR - MINUTE - 1000);
    const outsideMargin = await service.getToken('ada');
    await clock.advance(1000);
    const insideMargin = await service.getToken('ada');

    expect(outsideMargin.token).toBe(first.token);
    expect(insideMargin.token).not.toBe(first.token);
    expect(cobalt.mints).toHaveLength(2);
  });

  it('asks Cobalt once to rotate a token it reused that is already inside the margin', async () => {
    const { cobalt, service, events } = setUp();
    const reused = cobalt.issue('ada', { issuedAgoMs: 70 * HOUR });
    cobalt.answer(() => reused);

    const token = await service.getToken('ada');

    expect(token.token).not.toBe(reused.token);
    expect(token.expiresAt).toBeGreaterThan(reused.expiresAt.getTime());
    expect(cobalt.mints).toEqual([
      { linkedAccountId: 'ada', forceRefresh: false },
      { linkedAccountId: 'ada', forceRefresh: true },
    ]);
    expect(events()).toContain('reused-token-near-expiry');
  });

  it('treats a token without an issue time as reused: one with 4 min left is rotated', async () => {
    const { cobalt, service } = setUp();
    cobalt.answer((id) => {
      const { issuedAt: _issuedAt, ...undated } = cobalt.issue(id, { lifetimeMs: 4 * MINUTE });
      return undated;
    });

    await service.getToken('ada');

    expect(cobalt.mints.map((m) => m.forceRefresh)).toEqual([false, true]);
  });

  it('does not ask again for a token Cobalt has just issued, even one of 4 min, inside the 5 min margin', async () => {
    const { cobalt, service } = setUp();
    cobalt.answer((id) => cobalt.issue(id, { lifetimeMs: 4 * MINUTE }));

    const token = await service.getToken('ada');

    expect(token.expiresAt - token.refreshAt).toBe(5 * MINUTE);
    expect(cobalt.mints).toHaveLength(1);
  });

  it('makes one Cobalt call for concurrent misses of one account, and gives all the same token', async () => {
    const { cobalt, service } = setUp();
    const release = cobalt.hold();

    const pending = Array.from({ length: 10 }, () => service.getToken('ada'));
    const other = service.getToken('bob');
    await flushMicrotasks();
    release();
    const tokens = await Promise.all(pending);

    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect((await other).token).not.toBe(tokens[0]!.token);
    expect(cobalt.mints.map((m) => m.linkedAccountId)).toEqual(['ada', 'bob']);
    expect(service.stats).toMatchObject({ misses: 11, coalescedWaits: 9 });
  });

  it('shares one failure with every coalesced caller', async () => {
    const { cobalt, service } = setUp();
    cobalt.answer(failWith(ErrorCode.COBALT_AUTH_FAILED));
    const release = cobalt.hold();

    const pending = Array.from({ length: 5 }, () => rejectionOf(service.getToken('ada')));
    await flushMicrotasks();
    release();
    const errors = await Promise.all(pending);

    expect(errors.map((e) => e.code)).toEqual(Array(5).fill(ErrorCode.COBALT_AUTH_FAILED));
    expect(cobalt.mints).toHaveLength(1);
  });
});

describe('serving a stale token when Cobalt fails', () => {
  it.each([ErrorCode.COBALT_UNAVAILABLE, ErrorCode.COBALT_RATE_LIMITED])(
    'serves the cached token, still valid, when Cobalt answers %s',
    async (code) => {
      const { clock, cobalt, service, events } = setUp();
      const cached = await service.getToken('ada');
      await clock.advance(70 * HOUR);
      cobalt.answer(failWith(code));

      const served = await service.getToken('ada');

      expect(served).toEqual(cached);
      expect(cobalt.mints).toHaveLength(2);
      expect(service.stats.staleServes).toBe(1);
      expect(events()).toContain('stale-token-served');
    },
  );

  it.each([ErrorCode.COBALT_AUTH_FAILED, ErrorCode.COBALT_BAD_RESPONSE, ErrorCode.LINKED_ACCOUNT_NOT_FOUND])(
    'passes %s on instead of serving the cached token',
    async (code) => {
      const { clock, cobalt, service } = setUp();
      await service.getToken('ada');
      await clock.advance(70 * HOUR);
      cobalt.answer(failWith(code));

      const error = await rejectionOf(service.getToken('ada'));

      expect(error.code).toBe(code);
      expect(service.stats.staleServes).toBe(0);
    },
  );

  it('serves it with more than 30 s left', async () => {
    const { clock, cobalt, service } = setUp();
    const cached = await service.getToken('ada');
    await clock.advance(72 * HOUR - 31_000);
    cobalt.answer(failWith(ErrorCode.COBALT_UNAVAILABLE));

    expect(await service.getToken('ada')).toEqual(cached);
  });

  it('refuses with 30 s left or less: a token about to expire helps nobody', async () => {
    const { clock, cobalt, service } = setUp();
    await service.getToken('ada');
    await clock.advance(72 * HOUR - 30_000);
    cobalt.answer(failWith(ErrorCode.COBALT_UNAVAILABLE, 5));

    const error = await rejectionOf(service.getToken('ada'));

    expect(error.extensions).toMatchObject({ code: 'COBALT_UNAVAILABLE', retryAfterSeconds: 5 });
  });

  it('never serves a token that has no cache entry to fall back on', async () => {
    const { cobalt, service } = setUp();
    cobalt.answer(failWith(ErrorCode.COBALT_RATE_LIMITED, 7));

    const error = await rejectionOf(service.getToken('ada'));

    expect(error.extensions).toMatchObject({ code: 'COBALT_RATE_LIMITED', retryAfterSeconds: 7 });
  });
});

describe('forced refresh', () => {
  it('rotates the token and caches the new one', async () => {
    const { cobalt, service } = setUp();
    const first = await service.getToken('ada');

    const forced = await service.getToken('ada', { forceRefresh: true });
    const cached = await service.getToken('ada');

    expect(forced.token).not.toBe(first.token);
    expect(cached).toEqual(forced);
    expect(cobalt.mints.map((m) => m.forceRefresh)).toEqual([false, true]);
    expect(service.stats.forceRefreshes).toBe(1);
  });

  it('refuses a second one within the interval without calling Cobalt, saying when to retry', async () => {
    const { clock, cobalt, service } = setUp();
    await service.getToken('ada', { forceRefresh: true });

    const atOnce = await rejectionOf(service.getToken('ada', { forceRefresh: true }));
    await clock.advance(10_500);
    const later = await rejectionOf(service.getToken('ada', { forceRefresh: true }));
    await clock.advance(FORCE_INTERVAL_MS - 10_500);
    const next = await service.getToken('ada', { forceRefresh: true });

    expect(atOnce.extensions).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterSeconds: 30 });
    expect(later.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 20 });
    expect(next.token).toBe('session-token-2');
    expect(cobalt.mints).toHaveLength(2);
  });

  it('lets concurrent forced refreshes share one rotation', async () => {
    const { cobalt, service } = setUp();
    const release = cobalt.hold();

    const pending = Array.from({ length: 5 }, () => service.getToken('ada', { forceRefresh: true }));
    await flushMicrotasks();
    release();
    const tokens = await Promise.all(pending);

    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(cobalt.mints).toEqual([{ linkedAccountId: 'ada', forceRefresh: true }]);
    expect(service.stats).toMatchObject({ forceRefreshes: 1, coalescedWaits: 4 });
  });
});

describe('provisioning an unknown linked account', () => {
  it('is off by default: the mint fails with LINKED_ACCOUNT_NOT_FOUND and nothing is created', async () => {
    const { cobalt, service } = setUp();
    cobalt.unknown.add('new-user');

    const error = await rejectionOf(service.getToken('new-user', { profile: { name: 'Ada' } }));

    expect(error.code).toBe(ErrorCode.LINKED_ACCOUNT_NOT_FOUND);
    expect(cobalt.upserts).toEqual([]);
    expect(cobalt.mints).toHaveLength(1);
  });

  it('upserts the account with the profile once, then mints once more', async () => {
    const { cobalt, service, events } = setUp({ policy: { autoProvision: true } });
    cobalt.unknown.add('new-user');

    const token = await service.getToken('new-user', { profile: { name: 'Ada', udf: { plan: 'pro' } } });

    expect(token.linkedAccountId).toBe('new-user');
    expect(cobalt.upserts).toEqual([{ linkedAccountId: 'new-user', profile: { name: 'Ada', udf: { plan: 'pro' } } }]);
    expect(cobalt.mints.map((m) => m.linkedAccountId)).toEqual(['new-user', 'new-user']);
    expect(service.stats).toMatchObject({ provisions: 1, cobaltCalls: 3 });
    expect(events()).toContain('linked-account-provisioned');
  });

  it('upserts once for concurrent first requests', async () => {
    const { cobalt, service } = setUp({ policy: { autoProvision: true } });
    cobalt.unknown.add('new-user');
    const release = cobalt.hold();

    const pending = Array.from({ length: 10 }, () => service.getToken('new-user'));
    await flushMicrotasks();
    release();
    const tokens = await Promise.all(pending);

    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(cobalt.upserts).toHaveLength(1);
    expect(cobalt.mints).toHaveLength(2);
  });

  it('does not upsert an account Cobalt knows', async () => {
    const { cobalt, service } = setUp({ policy: { autoProvision: true } });

    await service.getToken('ada');

    expect(cobalt.upserts).toEqual([]);
  });

  it('reports a failed upsert with its own code and does not mint again', async () => {
    const { cobalt, service } = setUp({ policy: { autoProvision: true } });
    cobalt.unknown.add('new-user');
    cobalt.upsertError = new GatewayError(ErrorCode.COBALT_AUTH_FAILED);

    const error = await rejectionOf(service.getToken('new-user'));

    expect(error.code).toBe(ErrorCode.COBALT_AUTH_FAILED);
    expect(cobalt.mints).toHaveLength(1);
  });
});

describe('revoke', () => {
  it("revokes the account's cached token at Cobalt, forgets it, and the next request mints anew", async () => {
    const { cobalt, service } = setUp();
    const first = await service.getToken('ada');

    const revoked = await service.revoke('ada');
    const again = await service.revoke('ada');
    const next = await service.getToken('ada');

    expect([revoked, again]).toEqual([true, false]);
    expect(cobalt.revoked).toEqual([first.token]);
    expect(next.token).not.toBe(first.token);
  });

  it('asks Cobalt nothing when no token is cached', async () => {
    const { cobalt, service } = setUp();

    expect(await service.revoke('ada')).toBe(false);
    expect(cobalt.revoked).toEqual([]);
  });

  it('forgets the token even when Cobalt fails to revoke it', async () => {
    const { cobalt, service } = setUp();
    const first = await service.getToken('ada');
    cobalt.revokeError = new Error('Cobalt is down');

    await expect(service.revoke('ada')).rejects.toThrow('Cobalt is down');
    const next = await service.getToken('ada');

    expect(next.token).not.toBe(first.token);
  });
});

describe('a mint led by another instance', () => {
  const followerSetUp = () => {
    let flightStore: FlightStore | undefined;
    const fixture = setUp({
      store: () => {
        flightStore = new FlightStore();
        return flightStore;
      },
    });
    return { ...fixture, store: flightStore! };
  };
  const entry = (token: string, expiresAt: number): CachedToken => ({
    token,
    linkedAccountId: 'ada',
    expiresAt,
    refreshAt: expiresAt - 7.2 * HOUR,
  });

  it("takes the leader's token from the store without calling Cobalt", async () => {
    const { clock, cobalt, service, store } = followerSetUp();
    const leaders = entry('leaders-token', clock.now() + 72 * HOUR);
    store.flight = { ok: true };
    store.whileFollowing = () => store.tokens.set('ada', leaders);

    const token = await service.getToken('ada');

    expect(token).toEqual(leaders);
    expect(cobalt.mints).toEqual([]);
    expect(service.stats.coalescedWaits).toBe(1);
  });

  it('mints itself when the store still holds the token the leader was refreshing', async () => {
    const { clock, cobalt, service, store } = followerSetUp();
    store.tokens.set('ada', entry('old-token', clock.now() + HOUR));
    store.flight = { ok: true };

    const token = await service.getToken('ada');

    expect(token.token).toBe('session-token-1');
    expect(cobalt.mints).toHaveLength(1);
  });

  it('mints itself when the leader does not answer in time', async () => {
    const { cobalt, service, store } = followerSetUp();
    store.flight = 'timeout';

    await service.getToken('ada');

    expect(cobalt.mints).toHaveLength(1);
  });

  it("takes the leader's failure, with its retry-after, without calling Cobalt", async () => {
    const { cobalt, service, store } = followerSetUp();
    store.flight = { ok: false, code: ErrorCode.COBALT_RATE_LIMITED, retryAfterSeconds: 9 };

    const error = await rejectionOf(service.getToken('ada'));

    expect(error.extensions).toMatchObject({ code: 'COBALT_RATE_LIMITED', retryAfterSeconds: 9 });
    expect(cobalt.mints).toEqual([]);
  });

  it("serves its cached token, still valid, on the leader's Cobalt outage", async () => {
    const { clock, cobalt, service, store } = followerSetUp();
    const stale = entry('stale-token', clock.now() + HOUR);
    store.tokens.set('ada', stale);
    store.flight = { ok: false, code: ErrorCode.COBALT_UNAVAILABLE };

    expect(await service.getToken('ada')).toEqual(stale);
    expect(cobalt.mints).toEqual([]);
  });

  it('as the leader, tells the others how its mint ended', async () => {
    const { cobalt, service, store } = followerSetUp();
    cobalt.answer(failWith(ErrorCode.COBALT_RATE_LIMITED, 4), () => {
      throw new Error('not a gateway error');
    });

    await service.getToken('ada').catch(() => undefined);
    await service.getToken('bob').catch(() => undefined);
    await service.getToken('cyd');

    expect(store.finished).toEqual([
      { ok: false, code: ErrorCode.COBALT_RATE_LIMITED, retryAfterSeconds: 4 },
      { ok: false, code: ErrorCode.INTERNAL_SERVER_ERROR },
      { ok: true },
    ]);
  });
});
