import { newEncryptionKey, startTestRedis, type TestRedis } from './redis-server';
import { startTestGateway, type TestGateway } from './test-gateway';
import { readThrough, useStarted } from './use-test-gateway';

/** Two gateways sharing one Redis and one Cobalt (`a`'s emulator), as behind a load balancer. */
export interface GatewayPair {
  readonly redis: TestRedis;
  readonly a: TestGateway;
  /** Calls `a`'s emulator; its own emulator stays idle, so `b.emulator.received()` proves that. */
  readonly b: TestGateway;
  stop(): Promise<void>;
}

/** Starts a Redis and two gateways on it; `env` adds to the shared settings. */
export async function startGatewayPair(env: Record<string, string> = {}): Promise<GatewayPair> {
  const redis = await startTestRedis();
  try {
    const pair = await startGatewayPairOn({ REDIS_URL: redis.url, ...env });
    return {
      redis,
      a: pair.a,
      b: pair.b,
      async stop() {
        await pair.stop();
        await redis.stop();
      },
    };
  } catch (error) {
    await redis.stop();
    throw error;
  }
}

/**
 * Two gateways on a Redis the caller started (a cluster, Sentinel, TLS…): `env` says how to reach it
 * and adds to the shared settings. Stopping the pair leaves that Redis running.
 */
export async function startGatewayPairOn(env: Record<string, string>): Promise<Omit<GatewayPair, 'redis'>> {
  const shared = {
    TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
    // Coordination, not Redis latency, is what pairs test: a loaded machine must not expire the
    // lock and cache calls.
    REDIS_COMMAND_TIMEOUT_MS: '5000',
    ...env,
  };
  const started: TestGateway[] = [];
  try {
    const a = await startTestGateway({ env: shared });
    started.push(a);
    const b = await startTestGateway({ env: shared, cobaltBaseUrl: a.emulator.url });
    started.push(b);
    return {
      a,
      b,
      async stop() {
        await b.stop();
        await a.stop();
      },
    };
  } catch (error) {
    for (const gw of started.reverse()) await gw.stop();
    throw error;
  }
}

/** A pair for the enclosing `describe`: started before its first test, stopped after its last. */
export function useGatewayPair(env: Record<string, string> = {}): Omit<GatewayPair, 'stop'> {
  const current = useStarted(
    () => startGatewayPair(env),
    (pair) => pair.stop(),
    30_000,
  );
  return readThrough(current, ['redis', 'a', 'b']);
}
