import { CobaltEmulator, type EmulatorOptions } from '../../src/cobalt/emulator/cobalt-emulator';

/** The org every test API key belongs to. */
export const TEST_ORG_ID = '63c93da0b46b7243785a1e17';

/** The Cobalt emulator on a free loopback port, knowing `apiKey` (in the test environment) and `accounts`. */
export function startEmulator(
  apiKey: string,
  accounts: readonly string[] = [],
  options: Partial<EmulatorOptions> = {},
): Promise<CobaltEmulator> {
  return new CobaltEmulator({
    apiKeys: { [apiKey]: { orgId: TEST_ORG_ID, environment: 'test' } },
    seedAccounts: accounts.map((accountId) => ({ accountId })),
    ...options,
  }).start();
}
