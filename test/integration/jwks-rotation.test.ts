import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { signTestJwt } from '../support/jwt';
import { mintWithBearer } from '../support/mint';
import { metricsText } from '../support/probes';
import { ShiftedClock } from '../support/shifted-clock';
import { KNOWN_ACCOUNT, startTestGateway, type TestGateway } from '../support/test-gateway';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/**
 * Keys rotate without a restart, and a short identity-provider outage is bridged by the last good key
 * set for a bounded time. Each token is new (a fresh `jti`), so the gateway's cache of verified tokens
 * never answers for it. The key set's age is moved on the gateway's clock, not slept through.
 */
describe('JWKS rotation and identity-provider outages', () => {
  let server: http.Server;
  let url: string;
  let keys: JWK[] = [];
  let mode: 'up' | 'down' = 'up';
  let hits = 0;
  let k1: KeyPair;
  let k2: KeyPair;
  let gw: TestGateway;
  let clock: ShiftedClock;

  const publish = async (...entries: [KeyPair, string][]) => {
    keys = await Promise.all(
      entries.map(async ([pair, kid]) => ({ ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' })),
    );
  };
  async function mintWith(pair: KeyPair, kid: string) {
    const token = await signTestJwt(
      { sub: KNOWN_ACCOUNT, jti: randomUUID() },
      { key: pair.privateKey, alg: 'RS256', kid, clock },
    );
    const startedAt = performance.now();
    const res = await mintWithBearer(gw, token);
    return {
      ok: res.data?.token !== undefined,
      code: res.error?.extensions?.['code'],
      ms: performance.now() - startedAt,
    };
  }
  const authFailures = () => gw.logs.parsed().map((r) => r['authFailure']);

  beforeAll(async () => {
    k1 = await generateKeyPair('RS256');
    k2 = await generateKeyPair('RS256');
    server = http.createServer((_req, res) => {
      hits += 1;
      if (mode === 'down') res.writeHead(503).end('maintenance');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(async () => {
    mode = 'up';
    await gw.stop();
  });

  async function start(env: Record<string, string> = {}) {
    clock = new ShiftedClock();
    gw = await startTestGateway({
      clock,
      env: { AUTH_JWT_SECRET: '', AUTH_JWKS_URL: url, AUTH_JWKS_CACHE_MAX_AGE_S: '1', ...env },
    });
  }

  it('accepts a newly published key after exactly one refetch, and refuses a removed one after the next', async () => {
    await publish([k1, 'k1']);
    await start();
    expect((await mintWith(k1, 'k1')).ok).toBe(true);

    await publish([k1, 'k1'], [k2, 'k2']);
    clock.advance(1100);
    const before = hits;
    expect((await mintWith(k2, 'k2')).ok).toBe(true);
    expect(hits - before).toBe(1);
    expect((await mintWith(k1, 'k1')).ok).toBe(true);

    await publish([k2, 'k2']);
    clock.advance(1100);
    expect((await mintWith(k1, 'k1')).code).toBe('UNAUTHENTICATED');
    expect((await mintWith(k2, 'k2')).ok).toBe(true);
    expect(authFailures()).toContain('no-matching-key');
  });

  it('bridges an outage with the last good key set for AUTH_JWKS_MAX_STALE_S, then refuses promptly', async () => {
    await publish([k1, 'k1']);
    await start({ AUTH_JWKS_MAX_STALE_S: '3' });
    expect((await mintWith(k1, 'k1')).ok).toBe(true);
    const fetchedAt = clock.now();

    mode = 'down';
    clock.advance(1100);
    // The set is past its max age and the URL answers 503: the last good set still verifies.
    expect((await mintWith(k1, 'k1')).ok).toBe(true);
    expect((await mintWith(k1, 'k1')).ok).toBe(true);
    const metrics = await metricsText(gw);
    expect(metrics).toMatch(/^cobalt_gateway_jwks_stale_verifications_total [1-9]/m);
    expect(gw.logs.parsed().some((r) => r['event'] === 'jwks-unreachable')).toBe(true);
    // A key the stale set does not hold is not bridged.
    expect((await mintWith(k2, 'k2')).code).toBe('UNAUTHENTICATED');

    clock.advance(Math.max(0, fetchedAt + 3200 - clock.now()));
    const refused = await mintWith(k1, 'k1');
    expect(refused.code).toBe('UNAUTHENTICATED');
    expect(refused.ms).toBeLessThan(2000);
    expect(authFailures()).toContain('jwks-unavailable');

    mode = 'up';
    expect((await mintWith(k1, 'k1')).ok).toBe(true);
    expect(gw.logs.parsed().some((r) => r['event'] === 'jwks-reachable')).toBe(true);
  });

  it('refuses at once when the identity provider was never reachable (no key set to bridge with)', async () => {
    mode = 'down';
    await start();

    const refused = await mintWith(k1, 'k1');

    expect(refused.code).toBe('UNAUTHENTICATED');
    expect(gw.emulator.received()).toHaveLength(0);
    expect(authFailures()).toContain('jwks-unavailable');
  });
});
