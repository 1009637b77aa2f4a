import ipaddr from 'ipaddr.js';

/*
 * Which addresses the control plane may push to. An agentUrl is given by whoever holds an
 * enrolment token, so it must not turn the worker into a probe of the control plane's own
 * machine or its cloud's metadata service. Pure: the rules on parsed addresses, and the
 * syntax of an agentUrl; resolving names is agent-target.ts's.
 */

export type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type Cidr = [Address, number];

// Cloud metadata services: most clouds (169.254.169.254), AWS ECS tasks, Alibaba, Oracle
// Cloud Classic, AWS over IPv6. The link-local ones are refused anyway; named for the message.
const metadata: Cidr[] = ['169.254.169.254/32', '169.254.170.2/32', '100.100.100.200/32', '192.0.0.192/32', 'fd00:ec2::254/128']
  .map((c) => ipaddr.parseCIDR(c));

const refusedRanges: Record<string, string> = {
  loopback: 'a loopback address', unspecified: 'an unspecified address', linkLocal: 'a link-local address',
  multicast: 'a multicast address', broadcast: 'the broadcast address',
};

/** An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is the IPv4 address it carries. */
export function canonical(a: Address): Address {
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

/** Parses an allow-list entry: a CIDR or a single address; mapped IPv6 becomes IPv4. */
export function parseAllowEntry(entry: string): Cidr {
  const [a, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : [ipaddr.parse(entry), -1] as const;
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) {
    const v4 = (a as ipaddr.IPv6).toIPv4Address();
    return [v4, bits < 0 ? 32 : Math.max(0, bits - 96)];
  }
  return [a, bits < 0 ? (a.kind() === 'ipv4' ? 32 : 128) : bits];
}

/** Why pushing to `address` is refused ("a loopback address", "a metadata address"…), or null when allowed. */
export function addressRefusal(address: Address, allow: readonly Cidr[]): string | null {
  const a = canonical(address);
  if (allow.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits))) return null;
  if (metadata.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits))) return 'a metadata address';
  const range = refusedRanges[a.range()];
  if (range) return range;
  if (a.kind() === 'ipv6') {
    const v6 = a as ipaddr.IPv6;
    // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4
    // address that a translator would reach: that one is judged too.
    const parts = v6.parts;
    const compatible = parts.slice(0, 6).every((p) => p === 0);
    if (compatible || v6.range() === 'rfc6052') {
      const inner = new ipaddr.IPv4([parts[6] >> 8, parts[6] & 255, parts[7] >> 8, parts[7] & 255]);
      const why = addressRefusal(inner, allow);
      if (why) return why;
    }
  }
  return null;
}

/**
 * What is wrong with an agentUrl's form, or null: http(s) only, no user or password (they
 * would be sent as Basic auth and logged), a host. Addresses are judged after resolving.
 */
export function agentUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http and https are allowed';
  if (url.username || url.password) return 'no user name or password may be given in the URL';
  if (!url.hostname) return 'the URL has no host';
  return null;
}

/** The host part of a URL as an address when it is one (URL already reads 2130706433, 127.1, 0x7f.1). */
export function literalAddress(hostname: string): Address | null {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare)) ? ipaddr.parse(bare) : null;
}
