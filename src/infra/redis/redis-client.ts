import { Redis } from 'ioredis';

/**
 * How the gateway opens a Redis connection. ioredis's defaults queue commands while disconnected and
 * retry each one 20 times, which turns a Redis outage into multi-second hangs on every request
 * (docs/architecture.md#redis-client-settings); with these options a command fails at once (or after
 * `commandTimeoutMs`) and the caller falls back, while the connection keeps reconnecting in the
 * background.
 */
export function createRedisClient(
  url: string,
  options: { readonly commandTimeoutMs: number; readonly subscriber?: boolean },
): Redis {
  return new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    // Reconnect forever, at most every 2 s: Redis coming back must be noticed without a restart.
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
    // A connection that stays silent this long with commands pending is dead, even though TCP has
    // not noticed (a stalled network, a stopped Redis): drop it. Callers then see `degraded` and
    // fail each command at once instead of after its full timeout, and start-up (whose SUBSCRIBE
    // would otherwise wait for an answer forever) goes on degraded.
    socketTimeout: Math.max(1000, 3 * options.commandTimeoutMs),
    // Subscriber connections only receive; queueing the SUBSCRIBE until connected is what we want.
    enableOfflineQueue: options.subscriber === true,
    ...(options.subscriber !== true && { commandTimeout: options.commandTimeoutMs }),
  });
}
