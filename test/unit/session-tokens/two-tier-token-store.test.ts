import { describe, expect, it } from '@jest/globals';
import { MemoryTokenStore } from '../../../src/session-tokens/memory-token-store';
import type { CachedToken, InvalidationBus } from '../../../src/session-tokens/token-store';
import { SessionTokenService } from '../../../src/session-tokens/session-token.service';
import { TwoTierTokenStore } from '../../../src/session-tokens/two-tier-token-store';
import { captureLogs } from '../../support/capture-logger';
import { FakeCobalt } from '../../support/fake-cobalt';
import { ManualClock } from '../../support/manual-clock';

const keys = {
  environment: 'test-env',
  account: (id: string) => `k:${id}`,
  clientIp: (ip: string) => ip,
  formerAccounts: () => [],
};
const TTL_MS = 60_000;
const HOUR = 3_600_000;

/** A shared store that can be switched off (every read a miss, as a failed Redis read is) and counts reads. */
class SharedStore extends MemoryTokenStore {
  reads = 0;
  down = false;
  override get(id: string): Promise<CachedToken | undefined> {
    this.reads += 1;
    return this.down ? Promise.resolve(undefined) : super.get(id);
  }
  override set(id: string, value: CachedToken): Promise<void> {
    return this.down ? Promise.resolve() : super.set(id, value);
  }
  override delete(id: string): Promise<void> {
    return this.down ? Promise.resolve() : super.delete(id);
  }
}

/** Two instances' buses on one channel: each hears the other's announcements, never its own. */
function channel() {
  const handlers: ((accountKey: string) => void)[] = [];
  let delivering = true;
  const bus = (): InvalidationBus => {
    let own: ((accountKey: string) => void) | undefined;
    return {
      publishInvalidation: (id) => {
        if (delivering) for (const handler of handlers) if (handler !== own) handler(keys.account(id));
        return Promise.resolve();
      },
      onInvalidation: (handler) => {
        own = handler;
        handlers.push(handler);
      },
    };
  };
  return { bus, cut: () => (delivering = false) };
}

function token(clock: ManualClock, name: string): CachedToken {
  const now = clock.now();
  return { token: name, linkedAccountId: 'acct', expiresAt: now + HOUR, refreshAt: now + HOUR - 10 * 60_000 };
}

function setUp() {
  const clock = new ManualClock();
  const shared = new SharedStore({ maxEntries: 100, keys, clock });
  const { bus, cut } = channel();
  const tier = (withBus = true) =>
    new TwoTierTokenStore(shared, { maxEntries: 100, ttlMs: TTL_MS, keys, clock, ...(withBus && { bus: bus() }) });
  return { clock, shared, a: tier(), b: tier(), tier, cut };
}

describe('TwoTierTokenStore', () => {
  it('should answer repeated reads from process memory, without reading the shared store', async () => {
    const { clock, shared, a } = setUp();
    await a.set('acct', token(clock, 't1'));
    for (let i = 0; i < 5; i += 1) expect((await a.get('acct'))?.token).toBe('t1');
    expect(shared.reads).toBe(0);
    expect(a.stats).toMatchObject({ l1Hits: 5, l2Reads: 0 });
  });

  it('should fill process memory from the shared store on a miss', async () => {
    const { clock, shared, a, b } = setUp();
    await a.set('acct', token(clock, 't1'));
    expect((await b.get('acct'))?.token).toBe('t1');
    expect((await b.get('acct'))?.token).toBe('t1');
    expect(shared.reads).toBe(1);
  });

  it('should read the shared store again once the time-to-live has passed', async () => {
    const { clock, shared, a } = setUp();
    await a.set('acct', token(clock, 't1'));
    await clock.advance(TTL_MS);
    await a.get('acct');
    expect(shared.reads).toBe(1);
  });

  it('should never serve an entry as fresh past its own refresh point', async () => {
    const { clock, shared, a } = setUp();
    const entry = { ...token(clock, 't1'), refreshAt: clock.now() + 1_000 };
    await a.set('acct', entry);
    await clock.advance(1_000);
    await a.get('acct');
    expect(shared.reads).toBe(1);
  });

  it('should keep serving from process memory while the shared store is away, until the refresh point', async () => {
    const { clock, shared, a } = setUp();
    await a.set('acct', token(clock, 't1'));
    shared.down = true;
    await clock.advance(TTL_MS - 1);
    expect((await a.get('acct'))?.token).toBe('t1');
    expect(shared.reads).toBe(0);
  });

  it('should hand back the entry as a stale fallback when past its refresh point and the shared store cannot answer', async () => {
    const { clock, shared, a } = setUp();
    const entry = { ...token(clock, 't1'), refreshAt: clock.now() + 1_000 };
    await a.set('acct', entry);
    shared.down = true;
    await clock.advance(2_000);
    expect(await a.get('acct')).toEqual(entry);
  });

  it('should drop the entry past its time-to-live when the shared store has nothing, bounding staleness', async () => {
    const { clock, a, b, cut } = setUp();
    await a.set('acct', token(clock, 't1'));
    await b.get('acct');
    cut();
    await a.delete('acct');
    await clock.advance(TTL_MS - 1);
    expect((await b.get('acct'))?.token).toBe('t1');
    await clock.advance(1);
    expect(await b.get('acct')).toBeUndefined();
  });

  it('should drop another instance’s entry as soon as a delete is announced', async () => {
    const { clock, a, b } = setUp();
    await a.set('acct', token(clock, 't1'));
    await b.get('acct');
    await a.delete('acct');
    expect(await b.get('acct')).toBeUndefined();
    expect(b.stats.l1Invalidations).toBe(1);
  });

  it('should serve the new token on other instances as soon as a rotation is announced', async () => {
    const { clock, a, b } = setUp();
    await a.set('acct', token(clock, 't1'));
    await b.get('acct');
    await a.set('acct', token(clock, 't2'));
    expect((await b.get('acct'))?.token).toBe('t2');
    expect((await a.get('acct'))?.token).toBe('t2');
  });

  it('should serve the old token on other instances without the announcement (what the bus is for)', async () => {
    const { clock, tier } = setUp();
    const a = tier(false);
    const b = tier(false);
    await a.set('acct', token(clock, 't1'));
    await b.get('acct');
    await a.delete('acct');
    expect((await b.get('acct'))?.token).toBe('t1');
  });

  it('should take its own delete effect at once, even with the shared store away', async () => {
    const { clock, shared, a } = setUp();
    await a.set('acct', token(clock, 't1'));
    shared.down = true;
    await a.delete('acct');
    expect(await a.get('acct')).toBeUndefined();
  });

  it('should not keep a value its own read fetched while it revoked the token meanwhile', async () => {
    const { clock, shared, a } = setUp();
    await shared.set('acct', token(clock, 't1'));
    const read = a.get('acct'); // misses the tier, reads the shared store
    await a.delete('acct'); // a logout on the same instance while that read is in flight
    await read;
    expect(a.peek('acct')).toBeUndefined();
    expect(await a.get('acct')).toBeUndefined();
  });

  it('should not let its own read in flight put back the token a rotation replaced', async () => {
    const { clock, shared, a } = setUp();
    await shared.set('acct', token(clock, 't1'));
    const read = a.get('acct');
    await a.set('acct', token(clock, 't2'));
    await read;
    expect(a.peek('acct')?.token).toBe('t2');
  });

  it('should not keep a value read while an invalidation for it arrived', async () => {
    const { clock, shared, a, b } = setUp();
    await a.set('acct', token(clock, 't1'));
    const read = b.get('acct');
    await shared.set('acct', token(clock, 't2'));
    await a.set('acct', token(clock, 't2'));
    expect((await read)?.token).toBe('t1');
    expect((await b.get('acct'))?.token).toBe('t2');
  });
});

describe('the session-token service on two tiers, with the shared store away', () => {
  function service() {
    const { clock, shared, a } = setUp();
    const cobalt = new FakeCobalt(clock);
    const tokens = new SessionTokenService({
      cobalt,
      store: a,
      log: captureLogs().log,
      clock,
      policy: { forceRefreshIntervalMs: 30_000, flightWaitMs: 5_000 },
    });
    return { clock, shared, cobalt, tokens };
  }

  it('should call Cobalt once for first mints arriving one after another', async () => {
    const { shared, cobalt, tokens } = service();
    shared.down = true;
    for (let i = 0; i < 50; i += 1) await tokens.getToken('acct');
    expect(cobalt.mints).toHaveLength(1);
  });

  it('should call Cobalt again only once the entry reaches its refresh point', async () => {
    const { clock, shared, cobalt, tokens } = service();
    await tokens.getToken('acct');
    shared.down = true;
    await clock.advance(TTL_MS - 1);
    for (let i = 0; i < 10; i += 1) await tokens.getToken('acct');
    expect(cobalt.mints).toHaveLength(1);
    await clock.advance(1);
    for (let i = 0; i < 10; i += 1) await tokens.getToken('acct');
    expect(cobalt.mints).toHaveLength(2);
  });
});
