import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { RevokeSessionTokenDocument } from '../../client/generated/graphql';
import { RecordCipher } from '../../src/infra/crypto/sealed-record';
import { graphqlRequest } from '../support/graphql-request';
import { signTestJwt } from '../support/jwt';
import { TEST_ORG_ID } from '../support/emulator';
import { useGatewayPair } from '../support/gateway-pair';
import { mint } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { connectInspector, newEncryptionKey, startTestRedis } from '../support/redis-server';
import { freshAccount, startTestGateway, TEST_API_KEY } from '../support/test-gateway';

const ROTATED_API_KEY = 'tk_test_rotated_api_key_41c2e8';
const ACCOUNTS = 100;

/**
 * A rotation of COBALT_API_KEY, as a rolling restart does it: one instance still on the old key, the
 * next on the new key of the same Cobalt org and environment, one Redis. The cache must stay warm.
 */
describe('COBALT_API_KEY rotation', () => {
  const sameEnvironment = { orgId: TEST_ORG_ID, environment: 'test' as const };
  const pair = useGatewayPair(
    {},
    {
      a: { emulator: { apiKeys: { [TEST_API_KEY]: sameEnvironment, [ROTATED_API_KEY]: sameEnvironment } } },
      b: { apiKey: ROTATED_API_KEY },
    },
  );

  it('serves from the second instance, on the rotated key, the tokens the first cached: 0 Cobalt calls', async () => {
    const accounts = Array.from({ length: ACCOUNTS }, () => freshAccount(pair.a.emulator, 'rotation'));
    const cached = await Promise.all(accounts.map((account) => mint(pair.a, account)));
    const callsBefore = pair.a.emulator.received(SESSION_TOKEN_PATH).length;

    const served = await Promise.all(accounts.map((account) => mint(pair.b, account)));
    const calls = pair.a.emulator.received(SESSION_TOKEN_PATH).length - callsBefore;

    // Quoted in the note.
    process.stderr.write(`key rotation: ${ACCOUNTS} accounts cached by a, ${calls} Cobalt calls when b served them\n`);
    expect(cached.every((m) => typeof m.data?.token === 'string')).toBe(true);
    expect(callsBefore).toBe(ACCOUNTS);
    expect(calls).toBe(0);
    expect(served.map((m) => m.data?.token)).toEqual(cached.map((m) => m.data?.token));
  });
});

/** A rotation of TOKEN_ENCRYPTION_KEY: the new instance names and seals with the new key, reads with the old. */
describe('TOKEN_ENCRYPTION_KEY rotation', () => {
  const oldKey = newEncryptionKey();
  const pair = useGatewayPair(
    { TOKEN_ENCRYPTION_KEY: oldKey },
    { b: { env: { TOKEN_ENCRYPTION_KEY: newEncryptionKey(), TOKEN_ENCRYPTION_KEYS_OLD: oldKey } } },
  );

  it('serves from the instance on the new key the tokens cached under the old one: 0 Cobalt calls', async () => {
    const accounts = Array.from({ length: 20 }, () => freshAccount(pair.a.emulator, 'enc-rotation'));
    const cached = await Promise.all(accounts.map((account) => mint(pair.a, account)));
    const callsBefore = pair.a.emulator.received(SESSION_TOKEN_PATH).length;

    const served = await Promise.all(accounts.map((account) => mint(pair.b, account)));
    const again = await Promise.all(accounts.map((account) => mint(pair.b, account)));

    expect(pair.a.emulator.received(SESSION_TOKEN_PATH).length - callsBefore).toBe(0);
    expect(served.map((m) => m.data?.token)).toEqual(cached.map((m) => m.data?.token));
    expect(again.map((m) => m.data?.token)).toEqual(cached.map((m) => m.data?.token));
  });

  it('revokes a token under every name, so an instance still on the old key does not serve it again', async () => {
    const account = freshAccount(pair.a.emulator, 'enc-revoke');
    const cached = await mint(pair.a, account);
    const bearer = await signTestJwt({ sub: account });

    const revoked = await graphqlRequest(pair.b.url, RevokeSessionTokenDocument, { token: bearer });
    const fromOldKey = await mint(pair.a, account);

    expect(revoked.body.data).toEqual({ revokeSessionToken: true });
    expect(fromOldKey.data?.token).toEqual(expect.any(String));
    expect(fromOldKey.data?.token).not.toBe(cached.data?.token);
  });
});

/**
 * The Redis key under which the version before namespaces stored an account's token: everything
 * derived from the Cobalt API key. Written out here, not imported: the test must hold the gateway to
 * what that version actually wrote.
 */
function formerTokenKey(apiKey: string, linkedAccountId: string): string {
  const material = Buffer.from(apiKey, 'utf8');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), info, 32));
  const environment = createHash('sha256').update(derive('cobalt-gateway/environment/v1')).digest('hex').slice(0, 16);
  const hmac = createHmac('sha256', derive('cobalt-gateway/cache-key/v1')).update(linkedAccountId).digest('base64url');
  return `cgw:v1:tok:${environment}:${hmac}`;
}

describe('upgrading from cache names derived from the API key', () => {
  it('serves a token the former version cached, without calling Cobalt', async () => {
    const redis = await startTestRedis();
    const inspect = await connectInspector(redis.url);
    const encryptionKey = newEncryptionKey();
    const gw = await startTestGateway({ env: { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: encryptionKey } });
    try {
      const account = freshAccount(gw.emulator, 'upgrade');
      const formerKey = formerTokenKey(TEST_API_KEY, account);
      const now = Date.now();
      const cached = { token: 'cached-by-former-version', linkedAccountId: account, expiresAt: now + 3_600_000 };
      const sealed = new RecordCipher(Buffer.from(encryptionKey, 'base64')).seal(
        JSON.stringify({ ...cached, refreshAt: now + 1_800_000 }),
        formerKey,
      );
      await inspect.set(formerKey, sealed, 'PX', 3_600_000);

      const served = await mint(gw, account);

      expect(served.data?.token).toBe('cached-by-former-version');
      expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(0);
    } finally {
      await gw.stop();
      inspect.disconnect();
      await redis.stop();
    }
  });
});
