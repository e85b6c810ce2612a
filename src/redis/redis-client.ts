import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger';

/**
 * The one way the gateway connects to Redis. ioredis's defaults queue commands while disconnected
 * and retry each one 20 times, which turns a Redis outage into multi-second hangs on every request
 * (RELIABILITY.md §6.3); with these options a command fails at once (or after `commandTimeoutMs`)
 * and the caller falls back, while the connection keeps reconnecting in the background.
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

const WARN_EVERY_MS = 60_000;

/**
 * A warning for Redis trouble that speaks at most once a minute: while Redis is down every command
 * fails, and a line per command would drown the log (and cost CPU on every request).
 */
export function createOutageWarner(
  log: Logger,
  fields: Record<string, string>,
): (error: unknown, message: string) => void {
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  return (error, message) => {
    const now = Date.now();
    if (now - lastWarnAt < WARN_EVERY_MS) return;
    lastWarnAt = now;
    log.warn({ err: error, ...fields }, message);
  };
}
