import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/load-config';
import type { Secret } from '../config/secret';
import { systemClock, type Clock } from '../infra/clock';
import { defaultNamespace, deriveCacheKeys, type CacheKeys } from '../infra/crypto/key-derivation';
import { RecordCipher } from '../infra/crypto/sealed-record';
import { SealedRecords } from '../infra/redis/sealed-records';
import { SharedRedis } from '../infra/redis/shared-redis';
import { createLogger, type Logger } from '../observability/logger';
import { createMetrics, type GatewayMetrics } from '../observability/metrics';

/** What the services stand on: built first, closed last. */
export interface Infrastructure {
  readonly log: Logger;
  readonly clock: Clock;
  readonly metrics: GatewayMetrics;
  /** Opaque names for accounts and IPs, scoped to the cache namespace; unchanged by an API key rotation. */
  readonly keys: CacheKeys;
  /** Set when state is shared through Redis (a node, Sentinel or a cluster); none: it stays in the process. */
  readonly redis?: {
    readonly shared: SharedRedis;
    /** Sealed records for one kind of cached thing (`token`, `integrations`). */
    records(kind: string): SealedRecords;
  };
  connect(): Promise<void>;
  close(): Promise<void>;
}

export interface InfrastructureOverrides {
  /** A logger to use instead of one built from config (tests capture output with it). */
  readonly log?: Logger;
  /** Time for every time-dependent part (tests move it instead of sleeping). */
  readonly clock?: Clock;
}

export function createInfrastructure(
  config: Pick<Config, 'logLevel' | 'tokenCache'> & { readonly cobalt: { readonly apiKey: Secret } },
  overrides: InfrastructureOverrides = {},
): Infrastructure {
  const log = overrides.log ?? createLogger({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const store = config.tokenCache.store;
  const apiKey = config.cobalt.apiKey.reveal();
  const namespace = config.tokenCache.namespace ?? defaultNamespace(apiKey);
  const key = (secret: Secret) => Buffer.from(secret.reveal().trim(), 'base64');
  // Shared names need a shared key; a process-local cache's names never leave the process.
  const keys =
    store.kind === 'redis'
      ? deriveCacheKeys({
          namespace,
          nameKeys: [key(store.encryptionKey), ...store.oldEncryptionKeys.map(key)],
          legacyApiKey: apiKey,
        })
      : deriveCacheKeys({ namespace, nameKeys: [randomBytes(32)] });
  let redis: Infrastructure['redis'];
  if (store.kind === 'redis') {
    const shared = new SharedRedis(
      { connection: store.connection, commandTimeoutMs: store.commandTimeoutMs },
      { log, clock },
    );
    const cipher = new RecordCipher(key(store.encryptionKey), store.oldEncryptionKeys.map(key));
    redis = { shared, records: (kind) => new SealedRecords(shared, cipher, { log, kind }) };
  }
  return {
    log,
    clock,
    metrics: createMetrics(),
    keys,
    ...(redis !== undefined && { redis }),
    connect: () => redis?.shared.connect() ?? Promise.resolve(),
    close: () => redis?.shared.close() ?? Promise.resolve(),
  };
}
