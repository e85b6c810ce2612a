import type { Clock } from '../../src/infra/clock';
import { newEncryptionKey, startTestRedis, type TestRedis } from './redis-server';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from './test-gateway';
import { readThrough, useStarted } from './use-test-gateway';

/** Two gateways sharing one Redis and one Cobalt (`a`'s emulator), as behind a load balancer. */
export interface GatewayPair {
  readonly redis: TestRedis;
  readonly a: TestGateway;
  /** Calls `a`'s emulator; its own emulator stays idle, so `b.emulator.received()` proves that. */
  readonly b: TestGateway;
  stop(): Promise<void>;
}

/** What one gateway of the pair does differently (its API key, its emulator's keys, more environment). */
export type PairMemberOptions = Pick<TestGatewayOptions, 'apiKey' | 'emulator' | 'env'>;

/** How the two gateways differ, and their shared clock. */
export interface PairMembers {
  readonly a?: PairMemberOptions;
  readonly b?: PairMemberOptions;
  readonly clock?: Clock;
}

/**
 * Starts a Redis and two gateways on it; `env` adds to the shared settings, `clock` (a ShiftedClock)
 * is both gateways' time, so a test moves them past a refresh point together.
 */
export async function startGatewayPair(
  env: Record<string, string> = {},
  members: PairMembers = {},
): Promise<GatewayPair> {
  const redis = await startTestRedis();
  try {
    const pair = await startGatewayPairOn({ REDIS_URL: redis.url, ...env }, members);
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
export async function startGatewayPairOn(
  env: Record<string, string>,
  members: PairMembers = {},
): Promise<Omit<GatewayPair, 'redis'>> {
  const clock = members.clock !== undefined ? { clock: members.clock } : {};
  const shared = {
    TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
    // Coordination, not Redis latency, is what pairs test: a loaded machine must not expire the
    // lock and cache calls.
    REDIS_COMMAND_TIMEOUT_MS: '5000',
    ...env,
  };
  const started: TestGateway[] = [];
  try {
    const a = await startTestGateway({ ...members.a, ...clock, env: { ...shared, ...members.a?.env } });
    started.push(a);
    const b = await startTestGateway({
      ...members.b,
      ...clock,
      env: { ...shared, ...members.b?.env },
      cobaltBaseUrl: a.emulator.url,
    });
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
export function useGatewayPair(
  env: Record<string, string> = {},
  members: { readonly a?: PairMemberOptions; readonly b?: PairMemberOptions } = {},
): Omit<GatewayPair, 'stop'> {
  const current = useStarted(
    () => startGatewayPair(env, members),
    (pair) => pair.stop(),
    30_000,
  );
  return readThrough(current, ['redis', 'a', 'b']);
}
