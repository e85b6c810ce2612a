import { describe, expect, it } from '@jest/globals';
import { clientIp } from '../../../src/server/client-ip';

describe('clientIp', () => {
  it('uses the peer address and ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientIp('10.0.0.5', '203.0.113.9', 0)).toBe('10.0.0.5');
  });

  it('takes the entry appended by the last trusted hop, counting from the right', () => {
    expect(clientIp('10.0.0.5', '192.0.2.1, 203.0.113.9', 1)).toBe('203.0.113.9');
    expect(clientIp('10.0.0.5', '192.0.2.1, 203.0.113.9, 10.0.0.4', 2)).toBe('203.0.113.9');
  });

  it('joins repeated X-Forwarded-For headers into one list', () => {
    expect(clientIp('10.0.0.5', ['192.0.2.1', '203.0.113.9'], 1)).toBe('203.0.113.9');
  });

  it('stops at the leftmost entry when more hops are trusted than there are entries', () => {
    expect(clientIp('10.0.0.5', '203.0.113.9', 5)).toBe('203.0.113.9');
  });

  it('falls back to the peer when the chosen entry is not an IP address', () => {
    expect(clientIp('10.0.0.5', 'evil\r\nheader, not-an-ip', 1)).toBe('10.0.0.5');
  });

  it('counts IPv4-mapped IPv6 peers as their IPv4 address', () => {
    expect(clientIp('::ffff:127.0.0.1', undefined, 0)).toBe('127.0.0.1');
    expect(clientIp('2001:db8::1', undefined, 0)).toBe('2001:db8::1');
    expect(clientIp(undefined, undefined, 0)).toBe('unknown');
  });
});
