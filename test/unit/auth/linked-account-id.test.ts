import { describe, expect, it } from '@jest/globals';
import { checkLinkedAccountId } from '../../../src/auth/linked-account-id';

describe('checkLinkedAccountId', () => {
  it.each([['user_12345'], ['a@example.com'], ['ünï'], ['a😀'], ['x'.repeat(256)], ['T1234567']])(
    'accepts %j',
    (id) => {
      expect(checkLinkedAccountId(id)).toBeUndefined();
    },
  );

  it.each([
    ['', 'empty'],
    ['x'.repeat(257), 'too-long'],
    ['abc\r\nX-Injected: 1', 'control-character'],
    ['abc\nx', 'control-character'],
    ['a\u0000b', 'control-character'],
    ['a\u007fb', 'control-character'],
    ['a\u2028b', 'control-character'],
    ['a\ud800b', 'control-character'],
    ['   ', 'blank'],
  ])('refuses %j as %s', (id, problem) => {
    expect(checkLinkedAccountId(id)).toBe(problem);
  });

  it('refuses values that are not strings', () => {
    expect(checkLinkedAccountId(42)).toBe('not-a-string');
    expect(checkLinkedAccountId(['a'])).toBe('not-a-string');
  });

  it('counts characters, not UTF-16 units', () => {
    expect(checkLinkedAccountId('😀'.repeat(256))).toBeUndefined();
  });
});
