import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * AES-256-GCM envelope for records at rest in Redis (session tokens, integration lists). Each record names the key that sealed it (`kid`),
 * so keys rotate without a flush: new records use the current key, old ones stay readable while
 * their key is listed as old. The storage key is bound as additional data, so a record copied to
 * another account's key fails authentication instead of handing that account someone else's token.
 */
export interface SealedRecord {
  readonly v: 1;
  readonly kid: string;
  readonly iv: string;
  readonly tag: string;
  readonly ct: string;
}

/**
 * The longest ciphertext (base64url characters) a record may carry. `open` refuses longer ones before
 * decrypting anything, so Redis cannot hand us a record of any size to work on; `seal` refuses to
 * produce one, since it could never be opened again.
 */
export const MAX_CIPHERTEXT_CHARS = 65_536;

const recordSchema = z.object({
  v: z.literal(1),
  kid: z.string().max(64),
  iv: z.string().max(64),
  tag: z.string().max(64),
  ct: z.string().max(MAX_CIPHERTEXT_CHARS),
});

/** A plaintext too large for a record (over `MAX_CIPHERTEXT_CHARS` once sealed): not sealed at all. */
export class RecordTooLargeError extends Error {
  constructor(readonly plaintextBytes: number) {
    super(`a record of ${String(plaintextBytes)} bytes is over the sealed-record size limit`);
    this.name = 'RecordTooLargeError';
  }
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export class RecordCipher {
  readonly #current: { id: string; key: Buffer };
  readonly #byId: Map<string, Buffer>;

  constructor(current: Buffer, old: readonly Buffer[] = []) {
    this.#current = { id: keyId(current), key: current };
    this.#byId = new Map([current, ...old].map((key) => [keyId(key), key]));
  }

  /** Throws `RecordTooLargeError` for a plaintext whose record `open` would refuse. */
  seal(plaintext: string, boundTo: string): string {
    const bytes = Buffer.from(plaintext, 'utf8');
    // GCM's ciphertext is as long as the plaintext; base64url without padding takes 4 characters per 3 bytes.
    if (Math.ceil((bytes.length * 4) / 3) > MAX_CIPHERTEXT_CHARS) throw new RecordTooLargeError(bytes.length);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const ct = Buffer.concat([cipher.update(bytes), cipher.final()]);
    const record: SealedRecord = {
      v: 1,
      kid: this.#current.id,
      iv: iv.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
      ct: ct.toString('base64url'),
    };
    return JSON.stringify(record);
  }

  /** The plaintext, or a reason it cannot be had (unknown key, tampered, swapped, garbage). */
  open(
    sealed: string,
    boundTo: string,
  ): { ok: true; plaintext: string } | { ok: false; reason: 'unknown-key' | 'invalid' } {
    let record: SealedRecord;
    try {
      record = recordSchema.parse(JSON.parse(sealed));
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    const key = this.#byId.get(record.kid);
    if (key === undefined) return { ok: false, reason: 'unknown-key' };
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(record.iv, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo, 'utf8'));
      decipher.setAuthTag(Buffer.from(record.tag, 'base64url'));
      const plaintext = Buffer.concat([decipher.update(Buffer.from(record.ct, 'base64url')), decipher.final()]);
      return { ok: true, plaintext: plaintext.toString('utf8') };
    } catch {
      return { ok: false, reason: 'invalid' };
    }
  }
}
