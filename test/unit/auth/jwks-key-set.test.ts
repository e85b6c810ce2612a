import { beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, type FlattenedJWSInput, type JWK } from 'jose';
import { createJwksKeySet, type JwksKeySetOptions } from '../../../src/auth/jwks-key-set';
import { ManualClock } from '../../support/manual-clock';

const JWKS_URL = new URL('https://idp.example.test/.well-known/jwks.json');
const TOKEN = { payload: '', signature: '' } as FlattenedJWSInput;
const MAX_AGE_MS = 60_000;
const MAX_STALE_MS = 120_000;

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
  return { clock, idp, lookUp, outages, staleUses: () => staleUses };
}

describe('the JWKS key set', () => {
  it('fetches once, answers from the set until it is cacheMaxAge old, then fetches again', async () => {
    const { clock, idp, lookUp } = setUp();
    idp.keys = [k1];

    const first = await lookUp('k1');
    await clock.advance(MAX_AGE_MS - 1);
    const young = await lookUp('k1');
    const fetchesWhileYoung = idp.fetches;
    await clock.advance(1);
    const old = await lookUp('k1');

    expect([first, young, old]).toEqual(['k1', 'k1', 'k1']);
    expect(fetchesWhileYoung).toBe(1);
    expect(idp.fetches).toBe(2);
  });

  it('shares one fetch among concurrent lookups', async () => {
    const { idp, lookUp } = setUp();
    idp.keys = [k1];

    const found = await Promise.all(Array.from({ length: 10 }, () => lookUp('k1')));

    expect(found).toEqual(Array(10).fill('k1'));
    expect(idp.fetches).toBe(1);
  });

  it('refetches for an unknown kid only 30 s after the last fetch, then finds a newly published key', async () => {
    const { clock, idp, lookUp } = setUp({ cacheMaxAgeMs: 10 * 60_000 });
    idp.keys = [k1];
    await lookUp('k1');
    idp.keys = [k1, k2];

    const inCooldown = await lookUp('k2');
    await clock.advance(29_999);
    const stillInCooldown = await lookUp('k2');
    const fetchesInCooldown = idp.fetches;
    await clock.advance(1);
    const published = await lookUp('k2');
    const unknown = await lookUp('k3');

    expect([inCooldown, stillInCooldown]).toEqual(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_NO_MATCHING_KEY']);
    expect(fetchesInCooldown).toBe(1);
    expect(published).toBe('k2');
    expect(unknown).toBe('ERR_JWKS_NO_MATCHING_KEY');
    expect(idp.fetches).toBe(2);
  });

  it('bridges an outage with the last good set for maxStaleMs, asking the URL once per 10 s', async () => {
    const { clock, idp, lookUp, outages, staleUses } = setUp();
    idp.keys = [k1];
    await lookUp('k1');
    idp.up = false;
    await clock.advance(MAX_AGE_MS);

    const bridged = await lookUp('k1');
    const fetchesAtOutage = idp.fetches;
    await clock.advance(9_999);
    const withoutAsking = await lookUp('k1');
    const fetchesInRecheck = idp.fetches;
    await clock.advance(1);
    const askedAgain = await lookUp('k1');
    const notBridged = await lookUp('k2');

    expect([bridged, withoutAsking, askedAgain]).toEqual(['k1', 'k1', 'k1']);
    expect([fetchesAtOutage, fetchesInRecheck, idp.fetches]).toEqual([2, 2, 3]);
    expect(notBridged).toBe('ERR_JWKS_NO_MATCHING_KEY');
    expect(staleUses()).toBe(4);
    expect(outages).toEqual([true]);
  });

  it('refuses once the last good set is older than maxStaleMs, and recovers when the URL answers', async () => {
    const { clock, idp, lookUp, outages } = setUp();
    idp.keys = [k1];
    await lookUp('k1');
    idp.up = false;

    await clock.advance(MAX_STALE_MS);
    const lastBridged = await lookUp('k1');
    await clock.advance(1);
    const refused = await lookUp('k1');
    idp.up = true;
    const recovered = await lookUp('k1');

    expect(lastBridged).toBe('k1');
    expect(refused).toBe('ERR_JOSE_GENERIC');
    expect(recovered).toBe('k1');
    expect(outages).toEqual([true, false]);
  });

  it('refuses at once when the URL never answered: there is no set to bridge with', async () => {
    const { idp, lookUp, staleUses } = setUp();
    idp.up = false;

    expect(await lookUp('k1')).toBe('ERR_JOSE_GENERIC');
    expect(staleUses()).toBe(0);
  });
});
