import { describe, expect, it } from '@jest/globals';
import { mint } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { freshAccount } from '../support/test-gateway';
import { useTestGateway } from '../support/use-test-gateway';

describe('a burst of mints on a busy event loop', () => {
  // The setting: a 1.5 s attempt timeout, which a saturated loop used to overrun and retry.
  const gw = useTestGateway({ env: { COBALT_TIMEOUT_MS: '1500' } });

  it('makes exactly one Cobalt call per account for 1 000 concurrent mints over 10 accounts', async () => {
    const accounts = Array.from({ length: 10 }, () => freshAccount(gw.emulator));

    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => mint(gw, accounts[i % 10]!)));

    process.stdout.write(`cobalt session-token calls: ${gw.emulator.received(SESSION_TOKEN_PATH).length}\n`);
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(10);
    expect(results.filter((r) => r.data?.token === undefined).map((r) => r.error?.extensions?.['code'])).toEqual([]);
  });
});
