import { beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, type FlattenedJWSInput, type JWK } from 'jose';
import { createJwksKeySet, type JwksKeySetOptions } from '../../../src/auth/jwks-key-set';
import { ManualClock } from '../../support/manual-clock';

const JWKS_URL = new URL('https://idp.example.test/.well-known/jwks.json');
const TOKEN = { payload: '', signature: '' } as FlattenedJWSInput;
const MAX_AGE_MS = 60_000;
const MAX_STALE_MS = 120_000;
const NO_MATCH = 'ERR_JWKS_NO_MATCHING_KEY';
// What jose throws for a non-200 answer.
const FETCH_FAILED = 'ERR_JOSE_GENERIC';

let k1: JWK;
let k2: JWK;
beforeAll(async () => {
  const publicJwk = async (kid: string) => ({
    ...(await exportJWK((await generateKeyPair('ES256')).publicKey)),
    kid,
    alg: 'ES256',
  });
  [k1, k2] = await Promise.all([publicJwk('k1'), publicJwk('k2')]);
});

/** The identity provider's JWKS URL, answered in memory: what it publishes, and whether it is up. */
function identityProvider() {
  const idp = {
    keys: [] as JWK[],
    up: true,
    fetches: 0,
    fetch: (): Promise<Response> => {
      idp.fetches += 1;
      return Promise.resolve(
        idp.up
          ? new Response(JSON.stringify({ keys: idp.keys }), { headers: { 'content-type': 'application/json' } })
          : new Response('maintenance', { status: 503 }),
      );
    },
  };
  return idp;
}

function setUp(options: Partial<JwksKeySetOptions> = {}) {
  const clock = new ManualClock();
  const idp = identityProvider();
  const outages: boolean[] = [];
  let staleUses = 0;
  const keySet = createJwksKeySet(JWKS_URL, {
    cacheMaxAgeMs: MAX_AGE_MS,
    maxStaleMs: MAX_STALE_MS,
    clock,
    fetch: idp.fetch,
    onOutageChange: (down) => outages.push(down),
    onStaleUse: () => (staleUses += 1),
    ...options,
  });
  /** Resolves to the key's kid when the set holds a key for `kid`, else to the error's code. */
  const lookUp = async (kid: string): Promise<string> => {
    try {
      await keySet({ alg: 'ES256', kid }, TOKEN);
      return kid;
    } catch (error) {
      return (error as { code: string }).code;
    }
  };
  /** One step of a timeline: `ms` later, look `kid` up; what was found, and the URL's fetches by then. */
  const after = async (ms: number, kid: string): Promise<{ found: string; fetches: number }> => {
    await clock.advance(ms);
    return { found: await lookUp(kid), fetches: idp.fetches };
  };
  return { clock, idp, lookUp, after, outages, staleUses: () => staleUses };
}

describe('the JWKS key set', () => {
  it('fetches once, answers from the set until it is cacheMaxAge old, then fetches again', async () => {
    const { idp, after } = setUp();
    idp.keys = [k1];

    expect(await after(0, 'k1')).toEqual({ found: 'k1', fetches: 1 });
    expect(await after(MAX_AGE_MS - 1, 'k1')).toEqual({ found: 'k1', fetches: 1 });
    expect(await after(1, 'k1')).toEqual({ found: 'k1', fetches: 2 });
  });

  it('shares one fetch among concurrent lookups', async () => {
    const { idp, lookUp } = setUp();
    idp.keys = [k1];

    const found = await Promise.all(Array.from({ length: 10 }, () => lookUp('k1')));

    expect(found).toEqual(Array(10).fill('k1'));
    expect(idp.fetches).toBe(1);
  });

  it('refetches for an unknown kid only 30 s after the last fetch, then finds a newly published key', async () => {
    const { idp, after } = setUp({ cacheMaxAgeMs: 10 * 60_000 });
    idp.keys = [k1];
    await after(0, 'k1');

    idp.keys = [k1, k2];

    expect(await after(0, 'k2')).toEqual({ found: NO_MATCH, fetches: 1 });
    expect(await after(29_999, 'k2')).toEqual({ found: NO_MATCH, fetches: 1 });
    expect(await after(1, 'k2')).toEqual({ found: 'k2', fetches: 2 });
    expect(await after(0, 'k3')).toEqual({ found: NO_MATCH, fetches: 2 });
  });

  it('bridges an outage with the last good set for maxStaleMs, asking the URL once per 10 s', async () => {
    const { idp, after, outages, staleUses } = setUp();
    idp.keys = [k1];
    await after(0, 'k1');

    idp.up = false;

    expect(await after(MAX_AGE_MS, 'k1')).toEqual({ found: 'k1', fetches: 2 });
    expect(await after(9_999, 'k1')).toEqual({ found: 'k1', fetches: 2 });
    expect(await after(1, 'k1')).toEqual({ found: 'k1', fetches: 3 });
    expect(await after(0, 'k2')).toEqual({ found: NO_MATCH, fetches: 3 });
    expect(staleUses()).toBe(4);
    expect(outages).toEqual([true]);
  });

  it('refuses once the last good set is older than maxStaleMs, and recovers when the URL answers', async () => {
    const { idp, after, outages } = setUp();
    idp.keys = [k1];
    await after(0, 'k1');

    idp.up = false;

    expect((await after(MAX_STALE_MS, 'k1')).found).toBe('k1');
    expect((await after(1, 'k1')).found).toBe(FETCH_FAILED);
    idp.up = true;
    expect((await after(0, 'k1')).found).toBe('k1');
    expect(outages).toEqual([true, false]);
  });

  it('refuses at once when the URL never answered: there is no set to bridge with', async () => {
    const { idp, lookUp, staleUses } = setUp();
    idp.up = false;

    expect(await lookUp('k1')).toBe(FETCH_FAILED);
    expect(staleUses()).toBe(0);
  });

  describe('when the wall clock steps (NTP, a resumed VM)', () => {
    const DAY_MS = 24 * 3600_000;

    it('neither refetches early after a step forward nor holds the set too long after a step back', async () => {
      const { clock, idp, after } = setUp();
      idp.keys = [k1];
      await after(0, 'k1');

      clock.stepWallClock(DAY_MS);
      expect(await after(0, 'k1')).toEqual({ found: 'k1', fetches: 1 });
      idp.keys = [k1, k2];
      expect(await after(0, 'k2')).toEqual({ found: NO_MATCH, fetches: 1 });

      clock.stepWallClock(-2 * DAY_MS);
      expect(await after(MAX_AGE_MS, 'k1')).toEqual({ found: 'k1', fetches: 2 });
    });

    it('bridges an outage for maxStaleMs of elapsed time, whatever the wall clock says', async () => {
      const { clock, idp, after } = setUp();
      idp.keys = [k1];
      await after(0, 'k1');
      idp.up = false;

      clock.stepWallClock(DAY_MS);
      expect((await after(MAX_AGE_MS, 'k1')).found).toBe('k1');

      clock.stepWallClock(-7 * DAY_MS);
      expect((await after(MAX_STALE_MS - MAX_AGE_MS + 1, 'k1')).found).toBe(FETCH_FAILED);
    });
  });
});
