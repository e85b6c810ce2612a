import { isIP } from 'node:net';

/**
 * The client's IP for rate limiting. `X-Forwarded-For` is client-controlled except for the entries
 * our own proxies appended, so with `trustedHops` proxies in front we take the address that the
 * outermost trusted proxy saw, counting from the right; anything further left may be forged. With
 * no trusted hops the header is ignored entirely.
 */
export function clientIp(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedHops: number,
): string {
  const peer = normalise(remoteAddress) ?? 'unknown';
  if (trustedHops === 0 || forwardedFor === undefined) return peer;
  // Several X-Forwarded-For headers are one list, in order (RFC 7230 §3.2.2).
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // chain + peer, read from the right: the peer is hop 0, each trusted proxy vouches for one more.
  const hops = [...chain, peer];
  const candidate = hops[Math.max(0, hops.length - 1 - trustedHops)];
  return normalise(candidate) ?? peer;
}

function normalise(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  // IPv4 clients of a dual-stack socket show up as ::ffff:a.b.c.d; count them as one address.
  const lower = address.toLowerCase();
  const plain = lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
  return isIP(plain) === 0 ? undefined : plain;
}
