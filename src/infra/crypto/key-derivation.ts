import { createHash, createHmac, hkdfSync } from 'node:crypto';
import type { Secret } from '../../config/secret';

/**
 * Names under which shared state is kept. Cobalt selects the environment (test or production) by the
 * API key (docs/cobalt-contract.md#authentication-and-environments), so the namespace is derived from
 * the key: a fingerprint, never the key itself. Account ids and client IPs are HMAC'ed so that Redis
 * holds no raw identifiers.
 */
export interface CacheKeys {
  /** Short public fingerprint of the Cobalt environment (safe to log). */
  readonly environment: string;
  /** Opaque, stable storage name for one linked account in this environment. */
  account(linkedAccountId: string): string;
  /** Opaque, stable storage name for a client IP (rate-limit counters). */
  clientIp(ip: string): string;
}

export function deriveCacheKeys(apiKey: Secret): CacheKeys {
  const material = Buffer.from(apiKey.reveal(), 'utf8');
  const hmacKey = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'cobalt-gateway/cache-key/v1', 32));
  const environment = createHash('sha256')
    .update(Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'cobalt-gateway/environment/v1', 32)))
    .digest('hex')
    .slice(0, 16);
  const opaque = (value: string) =>
    `${environment}:${createHmac('sha256', hmacKey).update(value, 'utf8').digest('base64url')}`;
  return {
    environment,
    account: opaque,
    // A prefix no account id can produce (ids have no control characters), so the two never collide.
    clientIp: (ip) => opaque(`\u0000ip:${ip}`),
  };
}
