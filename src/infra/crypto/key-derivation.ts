import { createHash, createHmac, hkdfSync } from 'node:crypto';

/**
 * Names under which shared state is kept. They must survive a rotation of the Cobalt API key: a new
 * key of the same Cobalt environment mints tokens for the same accounts, and a cache that went cold
 * with every key rotation would send every active user to Cobalt's org-wide limit at once. So the
 * names come from the cache namespace (what identifies the environment, never a secret) and an HMAC
 * key derived from the token encryption key (which has its own rotation, with names kept readable).
 * Account ids and client IPs are HMAC'ed so that Redis holds no raw identifiers.
 */
export interface CacheKeys {
  /** Short public fingerprint of the cache namespace (safe to log). */
  readonly environment: string;
  /** Opaque, stable storage name for one linked account in this namespace. */
  account(linkedAccountId: string): string;
  /** Opaque, stable storage name for a client IP (rate-limit counters). */
  clientIp(ip: string): string;
  /**
   * The names the account had under former keys, newest first: under each `TOKEN_ENCRYPTION_KEYS_OLD`
   * key, then under the layout derived from the Cobalt API key (before namespaces). Read on a miss,
   * so a rotation of the encryption key, or the upgrade, does not empty the cache.
   */
  formerAccounts(linkedAccountId: string): string[];
}

export interface CacheKeySources {
  /** What identifies the Cobalt environment the tokens belong to: `TOKEN_CACHE_NAMESPACE` or its default. */
  readonly namespace: string;
  /** The current name key material (the token encryption key), then former ones. */
  readonly nameKeys: readonly [Buffer, ...Buffer[]];
  /** The Cobalt API key, only to keep reading records named by the former layout. */
  readonly legacyApiKey?: string;
}

const hkdf = (material: Buffer, info: string) => Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), info, 32));

type Namer = (value: string) => string;

function namer(environment: string, hmacKey: Buffer): Namer {
  return (value) => `${environment}:${createHmac('sha256', hmacKey).update(value, 'utf8').digest('base64url')}`;
}

function namespacedNamer(namespace: string, material: Buffer): { environment: string; name: Namer } {
  const environment = createHash('sha256')
    .update(hkdf(material, 'cobalt-gateway/environment/v2'))
    .update(namespace, 'utf8')
    .digest('hex')
    .slice(0, 16);
  return { environment, name: namer(environment, hkdf(material, 'cobalt-gateway/cache-key/v2')) };
}

/** The layout before namespaces: everything derived from the Cobalt API key. */
function legacyNamer(apiKey: string): Namer {
  const material = Buffer.from(apiKey, 'utf8');
  const environment = createHash('sha256')
    .update(hkdf(material, 'cobalt-gateway/environment/v1'))
    .digest('hex')
    .slice(0, 16);
  return namer(environment, hkdf(material, 'cobalt-gateway/cache-key/v1'));
}

/**
 * The namespace when `TOKEN_CACHE_NAMESPACE` is unset: Cobalt's environment, which its API keys carry
 * in their prefix (docs/cobalt-contract.md#authentication-and-environments), so a test and a
 * production gateway sharing a Redis never share tokens. The prefix is not secret.
 */
export function defaultNamespace(apiKey: string): string {
  if (apiKey.startsWith('pk')) return 'production';
  if (apiKey.startsWith('tk')) return 'test';
  return 'default';
}

export function deriveCacheKeys(sources: CacheKeySources): CacheKeys {
  const [current, ...old] = sources.nameKeys;
  const { environment, name } = namespacedNamer(sources.namespace, current);
  const former = old.map((material) => namespacedNamer(sources.namespace, material).name);
  if (sources.legacyApiKey !== undefined) former.push(legacyNamer(sources.legacyApiKey));
  return {
    environment,
    account: name,
    // A prefix no account id can produce (ids have no control characters), so the two never collide.
    clientIp: (ip) => name(`\u0000ip:${ip}`),
    formerAccounts: (linkedAccountId) => former.map((formerName) => formerName(linkedAccountId)),
  };
}
