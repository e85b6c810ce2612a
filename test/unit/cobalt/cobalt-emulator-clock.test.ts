import { describe, expect, it } from '@jest/globals';
import { CobaltEmulator } from '../../../src/cobalt/emulator/cobalt-emulator';
import { ManualClock } from '../../support/manual-clock';

// No server is started: these exercise the emulator's token and account state through its API.
function emulatorOn(clock: ManualClock): CobaltEmulator {
  return new CobaltEmulator({
    apiKeys: { tk_clock: { orgId: '63c93da0b46b7243785a1e17', environment: 'test' } },
    seedAccounts: [{ accountId: 'user_12345' }],
    clock,
  });
}

describe('the Cobalt emulator on an injected clock', () => {
  it('accepts an issued token until its clock passes the expiry, then refuses it', async () => {
    const clock = new ManualClock();
    const emulator = emulatorOn(clock);
    const token = await emulator.issueToken('user_12345', 60);

    await clock.advance(59_000);
    const before = await emulator.verifySessionToken(token);
    await clock.advance(2_000);
    const after = await emulator.verifySessionToken(token);

    expect(before).toEqual({ orgId: '63c93da0b46b7243785a1e17', linkedAccountId: 'user_12345', environment: 'test' });
    expect(after).toBeNull();
  });

  it('stamps linked accounts with its clock', async () => {
    const clock = new ManualClock(Date.UTC(2030, 4, 6, 7, 8, 9));
    const emulator = emulatorOn(clock);

    await clock.advance(1_000);
    emulator.addLinkedAccount('later');

    expect(emulator.linkedAccount('user_12345')?.createdAt).toBe('2030-05-06T07:08:09.000Z');
    expect(emulator.linkedAccount('later')?.createdAt).toBe('2030-05-06T07:08:10.000Z');
  });
});
