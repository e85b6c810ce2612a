import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisConnectionConfig, RedisTlsConfig } from '../../config/load-config';

/** A connection to one node, a master found through Sentinel, or a whole cluster: same commands. */
export type RedisConnection = Redis | Cluster;

export interface RedisClientOptions {
  readonly commandTimeoutMs: number;
  readonly subscriber?: boolean;
}

const CONNECT_TIMEOUT_MS = 2000;
// Reconnect forever, at most every 2 s: Redis coming back must be noticed without a restart.
const reconnectDelay = (attempt: number) => Math.min(attempt * 200, 2000);

function tlsOptions(tls: RedisTlsConfig): ConnectionOptions {
  return {
    ...(tls.ca !== undefined && { ca: tls.ca }),
    ...(tls.cert !== undefined && { cert: tls.cert }),
    ...(tls.key !== undefined && { key: tls.key.reveal() }),
    ...(tls.servername !== undefined && { servername: tls.servername }),
    // Only ever from an explicit REDIS_TLS_INSECURE=true, which the infrastructure logs as a warning.
    ...(tls.insecure && { rejectUnauthorized: false, checkServerIdentity: () => undefined }),
  };
}

/**
 * What every connection to a node gets. ioredis's defaults queue commands while disconnected and
 * retry each one 20 times, which turns a Redis outage into multi-second hangs on every request
 * (docs/architecture.md#redis-client-settings); with these options a command fails at once (or after
 * `commandTimeoutMs`) and the caller falls back, while the connection keeps reconnecting in the
 * background.
 */
function nodeOptions(config: RedisConnectionConfig, options: RedisClientOptions) {
  return {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // How long a closing socket may linger before it is destroyed (ioredis: 2 s, also armed when a
    // connection between reconnection attempts is closed, which then holds the process that long).
    disconnectTimeout: 500,
    maxRetriesPerRequest: 0,
    // A connection that stays silent this long with commands pending is dead, even though TCP has
    // not noticed (a stalled network, a stopped Redis): drop it. Callers then see `degraded` and
    // fail each command at once instead of after its full timeout, and start-up (whose SUBSCRIBE
    // would otherwise wait for an answer forever) goes on degraded.
    socketTimeout: Math.max(1000, 3 * options.commandTimeoutMs),
    // A master demoted by a failover answers writes with READONLY until the connection is dropped;
    // reconnecting (Sentinel then names the new master) ends that at once. Never resent: the caller
    // has already fallen back.
    reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 1 : false),
    ...(options.subscriber !== true && { commandTimeout: options.commandTimeoutMs }),
    ...(config.username !== undefined && { username: config.username }),
    ...(config.password !== undefined && { password: config.password.reveal() }),
    ...(config.tls !== undefined && { tls: tlsOptions(config.tls) }),
  } satisfies RedisOptions;
}

/**
 * The one way the gateway opens Redis: one node (`REDIS_URL`), the master behind Sentinel, or a
 * cluster, all with the same fail-fast settings, credentials and TLS.
 */
export function createRedisClient(config: RedisConnectionConfig, options: RedisClientOptions): RedisConnection {
  const topology = config.topology;
  // Subscriber connections only receive; queueing the SUBSCRIBE until connected is what we want.
  const enableOfflineQueue = options.subscriber === true;
  const node = nodeOptions(config, options);
  switch (topology.kind) {
    case 'single':
      return new Redis(topology.url.reveal(), { ...node, enableOfflineQueue, retryStrategy: reconnectDelay });
    case 'sentinel':
      return new Redis({
        ...node,
        enableOfflineQueue,
        retryStrategy: reconnectDelay,
        sentinels: topology.sentinels.map((s) => ({ host: s.host, port: s.port })),
        name: topology.name,
        ...(topology.sentinelPassword !== undefined && { sentinelPassword: topology.sentinelPassword.reveal() }),
        sentinelCommandTimeout: CONNECT_TIMEOUT_MS,
        // Asks the sentinels to say when the master moves, instead of finding out from a failed command.
        failoverDetector: true,
        ...(config.tls !== undefined && { enableTLSForSentinelMode: true, sentinelTLS: tlsOptions(config.tls) }),
      });
    case 'cluster': {
      const cluster = new Cluster(
        topology.nodes.map((n) => ({ host: n.host, port: n.port })),
        {
          lazyConnect: true,
          enableOfflineQueue,
          clusterRetryStrategy: reconnectDelay,
          // ioredis retries a command on a closed connection or CLUSTERDOWN every 100 ms up to 16
          // times: 1.6 s of hanging per request while a node is away. Fail at once instead, as one
          // node does; the slots are refreshed in the background and MOVED is still followed.
          retryDelayOnFailover: 0,
          retryDelayOnClusterDown: 0,
          slotsRefreshTimeout: CONNECT_TIMEOUT_MS,
          redisOptions: node,
          // ioredis resolves seed host names and dials the addresses; a certificate names the host, so
          // with TLS dial by name (what managed TLS clusters such as ElastiCache need).
          ...(config.tls !== undefined && { dnsLookup: (address, callback) => callback(null, address) }),
        },
      );
      // ioredis opens a node's connection on its first command; without an offline queue, a second
      // command while that one is still connecting is refused. Open each one as soon as it is known.
      cluster.on('+node', (redis: Redis) => {
        if (redis.status === 'wait') redis.connect().catch(() => undefined);
      });
      return cluster;
    }
  }
}

/**
 * Connects, and for a cluster waits until each master's connection is up or has failed: commands
 * right after start would otherwise be refused while those connections are still being opened.
 * Rejects like `connect()` when Redis cannot be reached at all.
 */
export async function connectRedis(connection: RedisConnection): Promise<void> {
  await connection.connect();
  if (!(connection instanceof Cluster)) return;
  await Promise.all(
    connection.nodes('master').map(
      (node) =>
        new Promise<void>((resolve) => {
          if (node.status === 'ready') return resolve();
          for (const event of ['ready', 'close', 'end']) node.once(event, () => resolve());
          if (node.status === 'wait') node.connect().catch(() => undefined);
        }),
    ),
  );
}
