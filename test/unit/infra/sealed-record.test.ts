import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { defaultNamespace, deriveCacheKeys } from '../../../src/infra/crypto/key-derivation';
import {
  keyId,
  MAX_CIPHERTEXT_CHARS,
  RecordCipher,
  RecordTooLargeError,
} from '../../../src/infra/crypto/sealed-record';

describe('RecordCipher', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('opens what it sealed, bound to the same storage key', () => {
    const cipher = new RecordCipher(k1);

    const sealed = cipher.seal('{"token":"abc"}', 'key-a');

    expect(cipher.open(sealed, 'key-a')).toEqual({ ok: true, plaintext: '{"token":"abc"}' });
    expect(sealed).not.toContain('abc');
    expect((JSON.parse(sealed) as { kid: string }).kid).toBe(keyId(k1));
  });

  it('refuses a record moved to another storage key', () => {
    const cipher = new RecordCipher(k1);

    expect(cipher.open(cipher.seal('secret', 'key-a'), 'key-b')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a tampered record', () => {
    const cipher = new RecordCipher(k1);
    const record = JSON.parse(cipher.seal('secret', 'k')) as { ct: string };
    const ct = Buffer.from(record.ct, 'base64url');
    ct[0] = ct[0]! ^ 1;

    expect(cipher.open(JSON.stringify({ ...record, ct: ct.toString('base64url') }), 'k')).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(cipher.open('not json', 'k')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('reads records of an old key during rotation and seals new ones with the current key', () => {
    const old = new RecordCipher(k1).seal('secret', 'k');
    const rotating = new RecordCipher(k2, [k1]);

    expect(rotating.open(old, 'k')).toEqual({ ok: true, plaintext: 'secret' });
    expect((JSON.parse(rotating.seal('x', 'k')) as { kid: string }).kid).toBe(keyId(k2));
    expect(new RecordCipher(k2).open(old, 'k')).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('uses a fresh IV for every record', () => {
    const cipher = new RecordCipher(k1);

    expect(cipher.seal('same', 'k')).not.toBe(cipher.seal('same', 'k'));
  });

  it('seals a record up to the size it opens, and refuses to seal one larger', () => {
    const cipher = new RecordCipher(k1);
    const largest = 'x'.repeat((MAX_CIPHERTEXT_CHARS * 3) / 4);

    expect(cipher.open(cipher.seal(largest, 'k'), 'k')).toEqual({ ok: true, plaintext: largest });
    expect(() => cipher.seal(`${largest}x`, 'k')).toThrow(RecordTooLargeError);
    // Counted in bytes, not characters.
    expect(() => cipher.seal('é'.repeat(largest.length / 2 + 1), 'k')).toThrow(RecordTooLargeError);
  });
});

describe('deriveCacheKeys', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('names accounts by an HMAC under the name key and namespace, never containing the id', () => {
    const keys = deriveCacheKeys({ namespace: 'test', nameKeys: [k1] });

    const name = keys.account('user@example.com');

    expect(name).toBe(deriveCacheKeys({ namespace: 'test', nameKeys: [k1] }).account('user@example.com'));
    expect(name).not.toBe(deriveCacheKeys({ namespace: 'production', nameKeys: [k1] }).account('user@example.com'));
    expect(name).not.toBe(deriveCacheKeys({ namespace: 'test', nameKeys: [k2] }).account('user@example.com'));
    expect(name).not.toContain('user');
    expect(keys.environment).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps the names the account had under former name keys and under the API-key layout, newest first', () => {
    const before = deriveCacheKeys({ namespace: 'test', nameKeys: [k1] });
    const after = deriveCacheKeys({ namespace: 'test', nameKeys: [k2, k1], legacyApiKey: 'tk_old_key' });

    const former = after.formerAccounts('user_1');

    expect(former).toHaveLength(2);
    expect(former[0]).toBe(before.account('user_1'));
    expect(former[1]).not.toContain('tk_old_key');
  });

  it('takes the default namespace from the API key prefix, which is not secret', () => {
    expect([defaultNamespace('pk_live'), defaultNamespace('tk_x'), defaultNamespace('other')]).toEqual([
      'production',
      'test',
      'default',
    ]);
  });
});
