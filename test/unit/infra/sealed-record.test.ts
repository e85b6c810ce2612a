import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { deriveCacheKeys } from '../../../src/infra/crypto/key-derivation';
import { keyId, RecordCipher } from '../../../src/infra/crypto/sealed-record';
import { Secret } from '../../../src/config/secret';

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
});

describe('deriveCacheKeys', () => {
  it('names accounts by an HMAC that differs per API key and never contains the id or the key', () => {
    const test = deriveCacheKeys(new Secret('tk_test_key'));
    const prod = deriveCacheKeys(new Secret('pk_prod_key'));

    const name = test.account('user@example.com');

    expect(name).toBe(test.account('user@example.com'));
    expect(name).not.toBe(prod.account('user@example.com'));
    expect(name).not.toContain('user');
    expect(name).not.toContain('tk_test_key');
    expect(test.environment).toMatch(/^[0-9a-f]{16}$/);
  });
});
