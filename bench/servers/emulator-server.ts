import { CobaltEmulator } from '../../src/cobalt/emulator/cobalt-emulator';

/** The Cobalt emulator in its own process for bench/run.ts, seeded with BENCH_ACCOUNTS accounts. */
async function main(): Promise<void> {
  const count = Number(process.env['BENCH_ACCOUNTS'] ?? 100);
  const emulator = await new CobaltEmulator({
    apiKeys: { [process.env['BENCH_API_KEY'] ?? '']: { orgId: '63c93da0b46b7243785a1e17', environment: 'test' } },
    seedAccounts: Array.from({ length: count }, (_, i) => ({ accountId: `bench-user-${i}` })),
  }).start();
  // The emulator records every request for tests; a long bench would only grow that list.
  setInterval(() => emulator.requests.splice(0, emulator.requests.length - 1000), 1000).unref();
  process.stdout.write(`${emulator.url}\n`);
}

void main();
