import { describe, expect, it } from '@jest/globals';
import { useGatewayPair } from '../support/gateway-pair';
import { signTestJwt } from '../support/jwt';
import { mintWithBearer } from '../support/mint';
import { LINKED_ACCOUNT_PATH, SESSION_TOKEN_PATH } from '../support/operations';

/** Two gateways sharing one Redis and one Cobalt, as behind a load balancer. */
describe('provisioning across instances sharing Redis', () => {
  const pair = useGatewayPair({ COBALT_AUTO_PROVISION: 'true' });

  it('upserts once for 20 concurrent first mints of a new account spread over both', async () => {
    const { a, b } = pair;
    const bearer = await signTestJwt({ sub: `new_shared_${process.pid}`, name: 'Shared' });
    // A slow upsert: without the shared flight, each instance would have met "No linked account
    // found" and upserted before the other's upsert landed.
    a.emulator.addFault({ type: 'latency', ms: 300 }, { path: LINKED_ACCOUNT_PATH, times: 1 });

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => mintWithBearer(i % 2 === 0 ? a : b, bearer)),
    );

    expect(results.every((r) => r.body.errors === undefined)).toBe(true);
    expect(a.emulator.received(LINKED_ACCOUNT_PATH)).toHaveLength(1);
    expect(a.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(2);
    expect(new Set(results.map((r) => r.data?.token)).size).toBe(1);
    expect(b.emulator.received()).toHaveLength(0);
  });
});
