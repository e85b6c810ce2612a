import { isIP } from 'node:net';

/**
 * The rate-limit bucket of a client address. IPv4 addresses count one by one; IPv6 clients count by
 * their /64, because one host or home network is usually handed a whole /64 and can rotate through
 * its 2^64 addresses at will, a fresh bucket each time.
 */
export function ipBucket(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const groups = ipv6Groups(ip);
  if (groups === undefined) return ip;
  // An IPv4 client written as IPv6 (::ffff:a.b.c.d in any spelling, or the old ::a.b.c.d) is that
  // IPv4 address: a /64 of it would put every IPv4 client in one bucket.
  const mapped = groups.slice(0, 5).every((g) => g === '0') && (groups[5] === 'ffff' || groups[5] === '0');
  if (mapped && (groups[5] === 'ffff' || groups[6] !== '0')) return dotted(groups[6], groups[7]);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, normalised (lower case, no leading zeros). */
function ipv6Groups(ip: string): string[] | undefined {
  const address = ip.split('%')[0] ?? ip;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined): string[] =>
    part === undefined || part === '' ? [] : part.split(':').flatMap(ipv4AsGroups);
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => '0'), ...tail];
  return groups.map((group) => parseInt(group, 16).toString(16));
}

function dotted(high = '0', low = '0'): string {
  const a = parseInt(high, 16);
  const b = parseInt(low, 16);
  return [a >> 8, a & 255, b >> 8, b & 255].join('.');
}

/** An embedded dotted IPv4 part (`::ffff:1.2.3.4`) is two groups. */
function ipv4AsGroups(part: string): string[] {
  if (!part.includes('.')) return [part];
  const bytes = part.split('.').map(Number);
  const hex = (a = 0, b = 0) => ((a << 8) | b).toString(16);
  return [hex(bytes[0], bytes[1]), hex(bytes[2], bytes[3])];
}
