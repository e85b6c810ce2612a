import { describe, expect, it } from '@jest/globals';
import { TEST_ORG_ID } from '../support/emulator';
import { useGatewayPair } from '../support/gateway-pair';
import { mint } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { newEncryptionKey } from '../support/redis-server';
import { freshAccount, TEST_API_KEY } from '../support/test-gateway';

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
});
