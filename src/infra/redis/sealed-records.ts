import type { Logger } from '../../observability/logger';
import { RecordTooLargeError, type RecordCipher } from '../crypto/sealed-record';
import type { SharedRedis } from './shared-redis';

/**
 * Reading records that were sealed before they were written to Redis: what the token cache and the
 * integrations cache both need. Never throws: an unreachable Redis, a record sealed with a retired
 * key, or one that fails authentication all read as a miss, because a cache must never fail a
 * request. Tampering is the one case worth a warning (each time: it is an attack or a bug). A value
 * too large for a record is not sealed, so it is never written: its readers see an ordinary miss.
 */
export class SealedRecords {
  #toldTooLarge = false;

  constructor(
    private readonly redis: SharedRedis,
    private readonly cipher: RecordCipher,
    private readonly deps: { readonly log: Logger; readonly kind: string },
  ) {}

  /** The plaintext stored under `key`, or undefined. */
  async read(key: string): Promise<string | undefined> {
    let sealed: string | null;
    try {
      sealed = await this.redis.command.get(key);
    } catch (error) {
      this.redis.warn(error, `redis get failed; ${this.deps.kind} cache miss`);
      return undefined;
    }
    if (sealed === null) return undefined;
    const opened = this.cipher.open(sealed, key);
    if (opened.ok) return opened.plaintext;
    // A record sealed with a retired key is an ordinary miss; anything else was tampered with.
    if (opened.reason === 'invalid') {
      this.deps.log.warn(
        { event: `${this.deps.kind}-record-invalid` },
        `cached ${this.deps.kind} record failed authentication`,
      );
    }
    return undefined;
  }

  /**
   * `plaintext` sealed and bound to `key`, ready to be written under that key; undefined when it is
   * too large for a record, and must then not be cached at all (a record `read` could not open
   * would only turn every later read into a tamper warning).
   */
  seal(key: string, plaintext: string): string | undefined {
    try {
      return this.cipher.seal(plaintext, key);
    } catch (error) {
      if (!(error instanceof RecordTooLargeError)) throw error;
      // Told once at info, so an operator learns that such values exist; every further one at debug.
      const level = this.#toldTooLarge ? 'debug' : 'info';
      this.#toldTooLarge = true;
      this.deps.log[level](
        { event: `${this.deps.kind}-record-too-large`, bytes: error.plaintextBytes },
        `${this.deps.kind} value too large to cache; it is not cached`,
      );
      return undefined;
    }
  }
}
