import { createApp, type AppConfig, type GatewayApp } from '../../src/app';
import type { CobaltEmulator, EmulatorOptions } from '../../src/cobalt/emulator/cobalt-emulator';
import { loadConfig } from '../../src/config/load-config';
import { systemClock, type Clock } from '../../src/infra/clock';
import type { LoadSampler } from '../../src/server/load-sampler';
import { captureLogs, type CapturedLogs } from './capture-logger';
import { startEmulator } from './emulator';
import { TEST_JWT_SECRET } from './jwt';

export const TEST_API_KEY = 'tk_test_canary_api_key_7f3a9c';
export const KNOWN_ACCOUNT = 'user_12345';

let accountCounter = 0;

/** A linked account the emulator knows and no cache has seen yet. */
export function freshAccount(emulator: CobaltEmulator, prefix = 'user'): string {
  accountCounter += 1;
  const id = `${prefix}_${process.pid}_${accountCounter}`;
  emulator.addLinkedAccount(id);
  return id;
}

export interface TestGateway {
  readonly url: string;
  readonly origin: string;
  /** The probe listener's origin, with `HEALTH_PORT` set. */
  readonly probesOrigin?: string;
  readonly emulator: CobaltEmulator;
  readonly logs: CapturedLogs;
  readonly app: GatewayApp;
  /** The gateway's clock: bearer tokens for it are signed on it (see `mint`). */
  readonly clock: Pick<Clock, 'now'>;
  stop(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Extra environment, parsed by the real loadConfig. */
  readonly env?: Record<string, string>;
  readonly emulator?: Partial<EmulatorOptions>;
  /**
   * Point the gateway somewhere other than the emulator (a closed port, a redirect target…), or, as a
   * function, somewhere derived from the emulator's URL (a fault proxy in front of it).
   */
  readonly cobaltBaseUrl?: string | ((emulatorUrl: string) => string | Promise<string>);
  /** The API key the gateway sends; defaults to one the emulator knows. */
  readonly apiKey?: string;
  readonly logLevel?: 'debug' | 'trace' | 'info';
  /** The gateway's clock (a `ShiftedClock`, so sockets keep real time while a test jumps ahead). */
  readonly clock?: Clock;
  /** Put in the playground's headers tab. */
  readonly devBearerToken?: string;
  /** What the overload monitor reads (set `OVERLOAD_*` in `env` too: shedding is off in tests by default). */
  readonly overloadSampler?: LoadSampler;
}

/** The real gateway and the real emulator, both on 127.0.0.1 with free ports. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const emulator = await startEmulator(TEST_API_KEY, [KNOWN_ACCOUNT], options.emulator);
  try {
    return await startAround(emulator, options);
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

async function startAround(emulator: CobaltEmulator, options: TestGatewayOptions): Promise<TestGateway> {
  const cobaltBaseUrl =
    typeof options.cobaltBaseUrl === 'function' ? await options.cobaltBaseUrl(emulator.url) : options.cobaltBaseUrl;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'debug',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    COBALT_API_KEY: options.apiKey ?? TEST_API_KEY,
    COBALT_BASE_URL: cobaltBaseUrl ?? emulator.url,
    // Tests mint in bursts from one IP, far past what one user does; the rate-limit tests set their
    // own limits, every other test runs with limits it cannot reach.
    RATE_LIMIT_MINTS_PER_MINUTE: '1000000',
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    COBALT_MAX_RPS: '100000',
    // Stopping between tests need not wait for a kept-alive connection fetch left idle; the shutdown
    // tests run the built process with production settings.
    SHUTDOWN_IDLE_GRACE_MS: '0',
    // Jest's own process shares the gateway's event loop and is busy on a shared machine: a stall there
    // must not shed another test's requests. The overload tests turn shedding on.
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    OVERLOAD_MAX_HEAP_USED_RATIO: '0',
    OVERLOAD_MAX_IN_FLIGHT: '0',
    ...options.env,
  });
  if (config.cobalt.kind !== 'remote') throw new Error('test gateway needs a remote Cobalt config');
  const logs = captureLogs(options.logLevel ?? 'debug');
  const sampler = options.overloadSampler;
  const appConfig: AppConfig = { ...config, cobalt: config.cobalt };
  const app = createApp(appConfig, {
    log: logs.log,
    ...(options.clock !== undefined && { clock: options.clock }),
    ...(options.devBearerToken !== undefined && { devBearerToken: options.devBearerToken }),
    ...(sampler !== undefined && { overloadSampler: () => sampler }),
  });
  const { url, probesUrl } = await app.start();
  return {
    url,
    origin: new URL(url).origin,
    ...(probesUrl !== undefined && { probesOrigin: probesUrl }),
    emulator,
    logs,
    app,
    clock: options.clock ?? systemClock,
    async stop() {
      await app.stop();
      await emulator.stop();
      // The leak scan runs over every test that starts a gateway, not only the secrets suite.
      assertNoSecretsIn(logs.text(), [options.apiKey ?? TEST_API_KEY]);
    },
  };
}

// A JWT anywhere in the logs is a bearer token, a Cobalt session token or a connect URL carrying one.
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/;

/** Fails naming the line and kind of a leak, never printing the secret itself. */
export function assertNoSecretsIn(text: string, secrets: readonly string[]): void {
  const problems: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (JWT_SHAPE.test(line)) problems.push(`log line ${index + 1}: a JWT`);
    if (secrets.some((secret) => line.includes(secret))) problems.push(`log line ${index + 1}: the API key`);
  });
  if (problems.length > 0) throw new Error(`secrets in the gateway's logs:\n${problems.join('\n')}`);
}
