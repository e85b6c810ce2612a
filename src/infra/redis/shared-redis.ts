import type { RedisConnectionConfig } from '../../config/load-config';
import type { Logger } from '../../observability/logger';
import { systemClock, type Clock } from '../clock';
import { connectRedis, createRedisClient, type RedisConnection } from './redis-client';

export interface SharedRedisSettings {
  readonly connection: RedisConnectionConfig;
  /** Longest a single command may take before its caller gives up on it and falls back. */
  readonly commandTimeoutMs: number;
}

export type RedisHealth = 'ok' | 'degraded';

const WARN_EVERY_MS = 60_000;

/**
 * The process's Redis: one command connection and one subscriber, shared by every part that keeps
 * state there (token cache, single flight, rate limits, integrations cache). Parts never open their
 * own: a connection per part multiplied connections per instance and gave an outage one log voice
 * per part. Every user treats a failed command as "Redis is away" and falls back; this class says so
 * in the log at most once a minute, since during an outage every request would otherwise add a line.
 */
export class SharedRedis {
  /** For commands. Fails fast while disconnected (no offline queue): callers fall back at once. */
  readonly command: RedisConnection;
  readonly #subscriber: RedisConnection;
  readonly #handlers = new Map<string, (message: string) => void>();
  readonly #log: Logger;
  readonly #clock: Clock;
  #lastWarnAt = Number.NEGATIVE_INFINITY;

  constructor(settings: SharedRedisSettings, deps: { readonly log: Logger; readonly clock?: Clock }) {
    this.#log = deps.log;
    this.#clock = deps.clock ?? systemClock;
    if (settings.connection.tls?.insecure === true) {
      this.#log.warn(
        { event: 'redis-tls-insecure', store: 'redis' },
        'REDIS_TLS_INSECURE=true: the Redis server certificate is NOT verified; anyone on the path can read the cache',
      );
    }
    this.command = createRedisClient(settings.connection, { commandTimeoutMs: settings.commandTimeoutMs });
    this.#subscriber = createRedisClient(settings.connection, {
      commandTimeoutMs: settings.commandTimeoutMs,
      subscriber: true,
    });
    for (const connection of [this.command, this.#subscriber]) {
      connection.on('error', (error: unknown) => this.warn(error, 'redis connection error'));
    }
    this.#subscriber.on('message', (channel: string, message: string) => this.#handlers.get(channel)?.(message));
    // Subscribe on every (re)connection: a SUBSCRIBE queued while Redis was down at start is dropped,
    // and ioredis only re-subscribes channels whose subscribe once succeeded.
    this.#subscriber.on('ready', () => void this.#subscribeAll());
  }

  /**
   * Delivers the channel's messages to `onMessage` (one handler a channel): from `connect()` on, or
   * at once when registered later (the `ready` handler alone would wait for the next reconnection).
   */
  onMessage(channel: string, onMessage: (message: string) => void): void {
    if (this.#handlers.has(channel)) throw new Error(`a handler for ${channel} is already registered`);
    this.#handlers.set(channel, onMessage);
    if (this.#subscriber.status === 'ready') void this.#subscribe([channel]);
  }

  /** Connects both connections; resolves even when Redis is down (its users then run degraded). */
  async connect(): Promise<void> {
    await Promise.all(
      [this.command, this.#subscriber].map((connection) =>
        connectRedis(connection).catch((error: unknown) => this.warn(error, 'redis unavailable at start')),
      ),
    );
    await this.#subscribeAll();
  }

  health(): RedisHealth {
    return this.command.status === 'ready' ? 'ok' : 'degraded';
  }

  /** Logs a Redis failure at warn level, at most once a minute. */
  warn(error: unknown, message: string): void {
    const now = this.#clock.now();
    if (now - this.#lastWarnAt < WARN_EVERY_MS) return;
    this.#lastWarnAt = now;
    this.#log.warn({ err: error, store: 'redis' }, message);
  }

  /** Resolves once both connections have ended, so no socket or reconnect timer outlives the app. */
  async close(): Promise<void> {
    await Promise.all([this.#subscriber, this.command].map(ended));
  }

  #subscribeAll(): Promise<void> {
    return this.#subscribe([...this.#handlers.keys()]);
  }

  async #subscribe(channels: string[]): Promise<void> {
    if (channels.length === 0) return;
    await this.#subscriber.subscribe(...channels).catch((error: unknown) => this.warn(error, 'redis subscribe failed'));
  }
}

/**
 * Disconnects, resolving once the socket is closed. Only a connection with a live socket is waited
 * for: one between reconnection attempts has none, and ioredis never emits `end` for it.
 */
function ended(connection: RedisConnection): Promise<void> {
  const live = ['connecting', 'connect', 'ready'].includes(connection.status);
  const end = live ? new Promise<void>((resolve) => connection.once('end', () => resolve())) : Promise.resolve();
  connection.disconnect();
  return end;
}
