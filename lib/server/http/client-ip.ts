import ipaddr from 'ipaddr.js';

/** Set by server.ts from the TCP socket; any copy a client sends is overwritten there. */
export const socketAddressHeader = 'x-meshplane-remote-addr';

function normalize(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const trimmed = address.trim().replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(trimmed)) return null;
  return ipaddr.process(trimmed); // ::ffff:1.2.3.4 becomes 1.2.3.4
}

function isTrusted(address: ipaddr.IPv4 | ipaddr.IPv6, trusted: string[]): boolean {
  return trusted.some((entry) => {
    try {
      const [range, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : [ipaddr.parse(entry), entry.includes(':') ? 128 : 32];
      const mapped = range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress();
      // A mapped entry (::ffff:10.0.0.0/104) keeps its prefix inside the last 32 bits.
      const normalized = mapped ? (range as ipaddr.IPv6).toIPv4Address() : range;
      return address.kind() === normalized.kind() && address.match(normalized, mapped ? Math.max(0, bits - 96) : bits);
    } catch {
      return false;
    }
  });
}

/**
 * The client's address: the socket's, unless the socket is a trusted proxy, in which case
 * X-Forwarded-For is read from the right, one trusted hop at a time. A header from anyone
 * else is ignored, so a client cannot lease someone else's address by naming it.
 */
export function clientIp(headers: Pick<Headers, 'get'>, trustedProxies: string[]): string | null {
  const socket = headers.get(socketAddressHeader);
  let current = socket ? normalize(socket) : null;
  if (!current) return null;
  const hops = (headers.get('x-forwarded-for') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  while (hops.length && isTrusted(current, trustedProxies)) {
    const next = normalize(hops.pop()!);
    if (!next) break;
    current = next;
  }
  return current.toString();
}

/** Whether the request came through a trusted proxy, whose X-Forwarded-* headers may then be believed. */
export function viaTrustedProxy(headers: Pick<Headers, 'get'>, trustedProxies: string[]): boolean {
  const socket = headers.get(socketAddressHeader);
  const address = socket ? normalize(socket) : null;
  return !!address && isTrusted(address, trustedProxies);
}
