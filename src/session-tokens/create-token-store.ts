import { Buffer } from 'node:buffer';
import type { Config } from '../config/load-config';
import type { Secret } from '../config/secret';
import type { Logger } from '../observability/logger';
import { deriveCacheKeys } from './cache-keys';
import { MemoryTokenStore } from './memory-token-store';
import { RedisTokenStore } from './redis-token-store';
import { TokenCipher } from './token-cipher';
import type { TokenStore } from './token-store';

/** Builds the store the config asks for; `connect()` it before use. */
export function createTokenStore(
  settings: Config['tokenCache']['store'],
  deps: { apiKey: Secret; log: Logger; now?: () => number },
): TokenStore {
  const keys = deriveCacheKeys(deps.apiKey);
  const clock = deps.now === undefined ? {} : { now: deps.now };
  if (settings.kind === 'memory') return new MemoryTokenStore({ maxEntries: settings.maxEntries, keys, ...clock });
  const key = (secret: Secret) => Buffer.from(secret.reveal().trim(), 'base64');
  return new RedisTokenStore({
    url: settings.url.reveal(),
    commandTimeoutMs: settings.commandTimeoutMs,
    keys,
    cipher: new TokenCipher(key(settings.encryptionKey), settings.oldEncryptionKeys.map(key)),
    log: deps.log,
    ...clock,
  });
}
