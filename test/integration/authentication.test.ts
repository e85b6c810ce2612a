import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose';
import { CreateSessionTokenDocument } from '../../client/generated/graphql';
import { signTestJwt, TEST_JWT_SECRET, unsecuredJwt } from '../support/jwt';
import { graphqlRequest } from '../support/graphql-request';
import { MINT_QUERY, SESSION_TOKEN_PATH } from '../support/operations';
import { KNOWN_ACCOUNT, startTestGateway, type TestGateway } from '../support/test-gateway';
import { useTestGateway } from '../support/use-test-gateway';
const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'cobalt-gateway';

async function expectRefused(gw: TestGateway, authorization: string) {
  const logLinesBefore = gw.logs.lines.length;

  const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, { authorization });

  expect(res.status).toBe(200);
  expect(res.body.data).toBeNull();
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', retryable: false });
  expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(0);
  // The refusal is logged with its reason, and no part of the credential is.
  const logged = gw.logs.lines.slice(logLinesBefore).join('');
  if (authorization !== '') expect(logged).toMatch(/"authFailure":"[a-z-]+"/);
  for (const part of authorization.replace(/^\S+ +/, '').split('.')) {
    if (part.length >= 8) expect(logged).not.toContain(part);
  }
}

/** An HS256 JWT built by hand, for headers jose refuses to produce (unknown `crit`). */
function handMadeHs256(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createHmac('sha256', TEST_JWT_SECRET).update(input).digest('base64url')}`;
}

describe('bearer tokens signed with a shared secret (HS256)', () => {
  const gw = useTestGateway({ env: { AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE } });
  afterEach(() => {
    gw.emulator.reset();
  });

  const valid = { sub: KNOWN_ACCOUNT, iss: ISSUER, aud: AUDIENCE };

  it('accepts a token with the configured issuer and audience', async () => {
    const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, { token: await signTestJwt(valid) });

    expect(res.body.data!.createSessionToken.linkedAccountId).toBe(KNOWN_ACCOUNT);
  });

  it('accepts a hand-built token (so the hand-built crit case below is refused for its crit alone)', async () => {
    const token = handMadeHs256({ alg: 'HS256', typ: 'JWT' }, { ...valid, exp: Math.floor(Date.now() / 1000) + 600 });

    const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, { token });

    expect(res.body.data!.createSessionToken.linkedAccountId).toBe(KNOWN_ACCOUNT);
  });

  it.each<[string, () => Promise<string>]>([
    ['no Authorization header', () => Promise.resolve('')],
    ['a non-Bearer scheme', () => Promise.resolve(`Basic ${Buffer.from('a:b').toString('base64')}`)],
    ['a Bearer value that is not a JWT', () => Promise.resolve('Bearer not-a-jwt')],
    [
      'a wrong signature',
      async () =>
        `Bearer ${await signTestJwt(valid, { key: new TextEncoder().encode('another-secret-0123456789abcdefghijkl') })}`,
    ],
    [
      'an expired token (past the clock tolerance)',
      async () => `Bearer ${await signTestJwt(valid, { expiresIn: -120 })}`,
    ],
    ['a token not valid yet', async () => `Bearer ${await signTestJwt(valid, { notBefore: 120 })}`],
    ['no exp claim', async () => `Bearer ${await signTestJwt(valid, { expiresIn: null })}`],
    ['alg: none', () => Promise.resolve(`Bearer ${unsecuredJwt(valid)}`)],
    ['HS512 when only HS256 is allowed', async () => `Bearer ${await signTestJwt(valid, { alg: 'HS512' })}`],
    ['a wrong issuer', async () => `Bearer ${await signTestJwt({ ...valid, iss: 'https://evil.test/' })}`],
    ['no issuer', async () => `Bearer ${await signTestJwt({ sub: KNOWN_ACCOUNT, aud: AUDIENCE })}`],
    ['a wrong audience', async () => `Bearer ${await signTestJwt({ ...valid, aud: 'another-api' })}`],
    ['no sub claim', async () => `Bearer ${await signTestJwt({ iss: ISSUER, aud: AUDIENCE })}`],
    [
      'a sub with CR/LF (header injection)',
      async () => `Bearer ${await signTestJwt({ ...valid, sub: 'abc\r\nX-Injected: 1' })}`,
    ],
    ['a sub with NUL', async () => `Bearer ${await signTestJwt({ ...valid, sub: 'a\u0000b' })}`],
    ['an empty sub', async () => `Bearer ${await signTestJwt({ ...valid, sub: '' })}`],
    ['a sub of 257 characters', async () => `Bearer ${await signTestJwt({ ...valid, sub: 'x'.repeat(257) })}`],
    ['a numeric sub', async () => `Bearer ${await signTestJwt({ ...valid, sub: 42 as unknown as string })}`],
    [
      'an exp that is not a number',
      async () =>
        `Bearer ${await signTestJwt({ ...valid, exp: '9999999999' as unknown as number }, { expiresIn: null })}`,
    ],
    [
      'an nbf that is not a number',
      async () => `Bearer ${await signTestJwt({ ...valid, nbf: 'soon' as unknown as number })}`,
    ],
    [
      'an unknown critical header parameter',
      () =>
        Promise.resolve(
          `Bearer ${handMadeHs256(
            { alg: 'HS256', typ: 'JWT', crit: ['x-must-understand'], 'x-must-understand': true },
            { ...valid, exp: Math.floor(Date.now() / 1000) + 600 },
          )}`,
        ),
    ],
    [
      'a sub that is an object',
      async () => `Bearer ${await signTestJwt({ ...valid, sub: { id: 1 } as unknown as string })}`,
    ],
    [
      'a 5 KB token (over the 4 KB cap)',
      async () => `Bearer ${await signTestJwt({ ...valid, pad: 'x'.repeat(4_000) })}`,
    ],
  ])('refuses %s with UNAUTHENTICATED and no Cobalt call', async (_label, authorization) => {
    await expectRefused(gw, await authorization());
  });

  it("answers 431 to a 20 KB token, before any GraphQL work (Node's header limit)", async () => {
    const token = await signTestJwt({ ...valid, pad: 'x'.repeat(15_000) });

    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: MINT_QUERY }),
    });

    expect(res.status).toBe(431);
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(0);
  });

  it('logs the reason for a refused token, never the token', async () => {
    const token = await signTestJwt(valid, { expiresIn: -120 });

    await expectRefused(gw, `Bearer ${token}`);

    const text = gw.logs.text();
    expect(text).toContain('"authFailure":"expired"');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]!);
  });
});

describe('bearer tokens verified with a JWKS (RS256/ES256)', () => {
  let gw: TestGateway;
  let jwksServer: http.Server;
  let jwks: { keys: JWK[] };
  let jwksHits = 0;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  let ec: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
      ],
    };
    jwksServer = http.createServer((_req, res) => {
      jwksHits += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    gw = await startTestGateway({
      env: {
        AUTH_JWT_SECRET: '',
        AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        AUTH_JWT_AUDIENCE: AUDIENCE,
      },
    });
  });
  afterAll(async () => {
    await gw.stop();
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  });
  afterEach(() => {
    gw.emulator.reset();
  });

  it.each([
    ['RS256', 'rsa-1'],
    ['ES256', 'ec-1'],
  ])('accepts a %s token whose kid is in the key set', async (alg, kid) => {
    const key = alg === 'RS256' ? rsa.privateKey : ec.privateKey;
    const token = await signTestJwt({ sub: KNOWN_ACCOUNT, aud: AUDIENCE }, { key, alg, kid });

    const res = await graphqlRequest(gw.url, CreateSessionTokenDocument, { token });

    expect(res.body.data!.createSessionToken.linkedAccountId).toBe(KNOWN_ACCOUNT);
  });

  it('refuses an HS256 token signed with the public key as the secret (algorithm confusion)', async () => {
    const pem = await exportSPKI(rsa.publicKey);
    const token = await signTestJwt(
      { sub: KNOWN_ACCOUNT, aud: AUDIENCE },
      { key: new TextEncoder().encode(pem), kid: 'rsa-1' },
    );

    await expectRefused(gw, `Bearer ${token}`);
  });

  it.each([
    ['a key that is not in the set', 'unknown-kid'],
    ['a key the identity provider rotated out of the set', 'rsa-0'],
  ])('refuses a token signed by %s', async (_label, kid) => {
    const outsider = await generateKeyPair('RS256');
    const token = await signTestJwt(
      { sub: KNOWN_ACCOUNT, aud: AUDIENCE },
      { key: outsider.privateKey, alg: 'RS256', kid },
    );

    await expectRefused(gw, `Bearer ${token}`);
  });

  it('never fetches keys from a URL named in the token (jku, x5u)', async () => {
    const attacker = await generateKeyPair('RS256');
    const attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: 'evil', alg: 'RS256', use: 'sig' };
    let attackerHits = 0;
    const attackerServer = http.createServer((_req, res) => {
      attackerHits += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [attackerJwk] }));
    });
    await new Promise<void>((resolve) => attackerServer.listen(0, '127.0.0.1', resolve));
    const attackerUrl = `http://127.0.0.1:${(attackerServer.address() as AddressInfo).port}/jwks.json`;
    const token = await new SignJWT({ sub: KNOWN_ACCOUNT, aud: AUDIENCE })
      .setProtectedHeader({ alg: 'RS256', kid: 'evil', jku: attackerUrl, x5u: attackerUrl })
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(attacker.privateKey);

    try {
      await expectRefused(gw, `Bearer ${token}`);
    } finally {
      await new Promise<void>((resolve) => attackerServer.close(() => resolve()));
    }

    expect(attackerHits).toBe(0);
  });

  it('does not refetch the key set for every unknown kid', async () => {
    const stranger = await generateKeyPair('RS256');
    const before = jwksHits;

    for (let i = 0; i < 20; i += 1) {
      const token = await signTestJwt(
        { sub: KNOWN_ACCOUNT, aud: AUDIENCE },
        { key: stranger.privateKey, alg: 'RS256', kid: `random-${i}` },
      );
      await expectRefused(gw, `Bearer ${token}`);
    }

    expect(jwksHits - before).toBeLessThanOrEqual(1);
  });
});
