import { describe, expect, it } from '@jest/globals';
import { ipBucket } from '../../../src/rate-limits/ip-bucket';

describe('ipBucket', () => {
  it('keeps IPv4 addresses (and anything that is not an address) as they are', () => {
    expect(ipBucket('203.0.113.9')).toBe('203.0.113.9');
    expect(ipBucket('unknown')).toBe('unknown');
  });

  it('puts every address of one IPv6 /64 in one bucket, however it is written', () => {
    const bucket = '2001:db8:0:1::/64';
    expect(ipBucket('2001:db8:0:1::1')).toBe(bucket);
    expect(ipBucket('2001:0DB8:0000:0001:ffff:ffff:ffff:ffff')).toBe(bucket);
    expect(ipBucket('2001:db8::1:0:0:0:5')).toBe(bucket);
    expect(ipBucket('2001:db8:0:1:a:b:1.2.3.4')).toBe(bucket);
  });

  it('counts an IPv4 address written as IPv6, in any spelling, as that IPv4 address', () => {
    for (const spelling of [
      '::ffff:1.2.3.4',
      '::FFFF:1.2.3.4',
      '::ffff:102:304',
      '0:0:0:0:0:ffff:1.2.3.4',
      '::1.2.3.4',
    ]) {
      expect(ipBucket(spelling)).toBe('1.2.3.4');
    }
    expect(ipBucket('::ffff:5.6.7.8')).not.toBe(ipBucket('::ffff:1.2.3.4'));
  });

  it('keeps different /64s apart', () => {
    expect(ipBucket('2001:db8:0:2::1')).not.toBe(ipBucket('2001:db8:0:1::1'));
    expect(ipBucket('::1')).toBe('0:0:0:0::/64');
  });
});
