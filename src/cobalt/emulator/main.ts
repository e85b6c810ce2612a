/* eslint-disable no-console, no-restricted-properties -- `npm run emulator` is a standalone process entry:
   it reads PORT like any server and prints its URL, API key and a curl line for the developer. */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startCobaltEmulator, type CobaltEmulator } from './cobalt-emulator';

const USAGE = 'usage: npm run emulator -- [--port N] [--host HOST]   (port also from PORT; defaults 4010, 127.0.0.1)';
const DEFAULT_PORT = 4010;
const DEFAULT_HOST = '127.0.0.1';
/**
 * The subject of the gateway's dev bearer token (src/auth/dev-token.ts): a gateway pointed here with
 * no sign-in configured mints for this account, so it must exist from the start.
 */
const DEMO_LINKED_ACCOUNT_ID = 'demo-user';

/** A bad command line: reported in one line, exit code 2. */
class UsageError extends Error {}

interface CliOptions {
  readonly port: number;
  readonly host: string;
  readonly help: boolean;
}

function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  let values: { port?: string; host?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [source, raw] = values.port !== undefined ? ['--port', values.port] : ['PORT', env['PORT']];
  const port = raw === undefined ? DEFAULT_PORT : Number(raw);
  if (raw !== undefined && (!/^\d{1,5}$/.test(raw) || port > 65_535)) {
    throw new UsageError(`${source} must be an integer from 0 to 65535, got "${raw}"`);
  }
  const host = values.host ?? DEFAULT_HOST;
  if (host === '') throw new UsageError('--host must not be empty');
  return { port, host, help: values.help ?? false };
}

function printBanner(emulator: CobaltEmulator, apiKey: string, orgId: string): void {
  const body = JSON.stringify({ linked_account_id: DEMO_LINKED_ACCOUNT_ID });
  const { url } = emulator;
  console.log(
    [
      '',
      'Cobalt emulator is ready',
      `  URL             ${url}`,
      `  API key         ${apiKey}   (org ${orgId}, environment test)`,
      `  Linked account  ${DEMO_LINKED_ACCOUNT_ID}   (seeded)`,
      `  Admin           ${url}/__emulator/requests, /__emulator/faults, /__emulator/settings, /__emulator/reset`,
      '',
      '  Mint a session token:',
      `  curl -s -X POST ${url}/api/v2/public/session-token -H 'content-type: application/json' -H 'x-api-key: ${apiKey}' -d '${body}'`,
      '',
      '  Point the gateway at it:',
      `  COBALT_BASE_URL=${url} COBALT_API_KEY=${apiKey} npm run dev`,
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(USAGE);
    return;
  }
  // A test-environment key (Cobalt's test keys start with `tk`), new each run: nothing to leak.
  const apiKey = `tk_emulator_${randomBytes(12).toString('hex')}`;
  const orgId = randomBytes(12).toString('hex');
  const emulator = await startCobaltEmulator({
    host: options.host,
    port: options.port,
    apiKeys: { [apiKey]: { orgId, environment: 'test' } },
    seedAccounts: [{ accountId: DEMO_LINKED_ACCOUNT_ID, name: 'Demo user' }],
  });
  printBanner(emulator, apiKey, orgId);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the Cobalt emulator`);
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`cobalt emulator: stop failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`cobalt emulator: ${error.message} (see --help)`);
    process.exit(2);
  }
  console.error(`cobalt emulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
