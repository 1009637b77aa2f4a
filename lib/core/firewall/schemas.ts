import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/*
 * Input shapes for rules and leases. Pure (ipaddr.js only), so the add-rule form can ask for
 * the "broad rule" confirmation as the user types, with the same test the server applies.
 */

export const leaseDurationMs = 24 * 60 * 60 * 1000;

/** The widest prefixes allowed without an explicit confirmation. */
export const broadLimits = { ipv4: 8, ipv6: 32 } as const;

export type ParsedCidr = { cidr: string; kind: 'ipv4' | 'ipv6'; bits: number };

// Sources no WireGuard packet from another machine ever has: a rule or lease inside one opens nothing.
const unusable = ([
  ['0.0.0.0/8', 'an unspecified address'], ['::/128', 'an unspecified address'],
  ['255.255.255.255/32', 'the broadcast address'],
  ['224.0.0.0/4', 'a multicast address'], ['ff00::/8', 'a multicast address'],
  ['127.0.0.0/8', 'a loopback address'], ['::1/128', 'a loopback address'],
] as const).map(([cidr, why]) => ({ range: ipaddr.parseCIDR(cidr), why }));

/** Why `address/bits` can be no source ("a loopback address"…), or null. 0.0.0.0/0 is fine: it holds more. */
export function unusableSource(address: ipaddr.IPv4 | ipaddr.IPv6, bits: number): string | null {
  for (const { range: [net, netBits], why } of unusable) {
    if (net.kind() === address.kind() && bits >= netBits && address.match(net, netBits)) return why;
  }
  return null;
}

/**
 * A rule's source: "203.0.113.0/24", "2001:db8::/48", or a bare address (one host). Host bits
 * are cleared ("203.0.113.7/24" is 203.0.113.0/24) so the unique index sees one spelling.
 * Only dotted quads for IPv4: ipaddr.js would read "10.1/8" as 10.0.0.1, a surprise.
 * IPv4-mapped IPv6 (::ffff:198.51.100.15, ::ffff:198.51.100.0/120) is the IPv4 prefix it
 * carries: that is how hosts see those packets, and the IPv4 set is where it must land.
 */
export function parseRuleCidr(input: string): ParsedCidr | null {
  const text = input.trim();
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bitsText = slash < 0 ? null : text.slice(slash + 1);
  if (addr.includes('%') || !(ipaddr.IPv4.isValidFourPartDecimal(addr) || ipaddr.IPv6.isValid(addr))) return null;
  if (bitsText !== null && !/^\d{1,3}$/.test(bitsText)) return null;
  let parsed = ipaddr.parse(addr);
  const max = parsed.kind() === 'ipv4' ? 32 : 128;
  let bits = bitsText === null ? max : Number(bitsText);
  if (bits > max) return null;
  if (parsed.kind() === 'ipv6' && bits >= 96 && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    bits -= 96;
  }
  const kind = parsed.kind();
  const network = kind === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(`${parsed}/${bits}`)
    : ipaddr.IPv6.networkAddressFromCIDR(`${parsed}/${bits}`);
  return { cidr: `${network.toString()}/${bits}`, kind, bits };
}

/** Broader than /8 (IPv4) or /32 (IPv6): opens the port to a big slice of the internet. */
export function isBroad(p: Pick<ParsedCidr, 'kind' | 'bits'>): boolean {
  return p.bits < broadLimits[p.kind];
}

/** How many addresses a prefix covers, in words for the confirmation ("16,777,216", "2^96"). */
export function addressCount(p: Pick<ParsedCidr, 'kind' | 'bits'>): string {
  const free = (p.kind === 'ipv4' ? 32 : 128) - p.bits;
  return free <= 40 ? (2 ** free).toLocaleString('en-US') : `2^${free}`;
}

/** One address (a lease): IPv4-mapped IPv6 becomes the IPv4 address hosts actually see. */
export function parseLeaseIp(input: string): string | null {
  const text = input.trim();
  if (text.includes('%') || !(ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text))) return null;
  return ipaddr.process(text).toString();
}

// Checkboxes arrive as "on" from forms and as booleans from the JSON API.
const checkbox = z.union([z.boolean(), z.enum(['on', 'true', 'false'])]).optional()
  .transform((v) => v === true || v === 'on' || v === 'true');

export const ruleCreateSchema = z.object({
  cidr: z.string({ error: 'Enter a CIDR such as 203.0.113.0/24.' }).max(64, 'That is not a CIDR.')
    .transform((v, ctx) => {
      const parsed = parseRuleCidr(v);
      if (!parsed) ctx.addIssue({ code: 'custom', message: `"${v.trim()}" is not a CIDR: use an address with a prefix length, such as 203.0.113.0/24 or 2001:db8::/48.` });
      const why = parsed && unusableSource(ipaddr.parseCIDR(parsed.cidr)[0], parsed.bits);
      if (why) ctx.addIssue({ code: 'custom', message: `"${v.trim()}" is ${why}: no WireGuard traffic comes from there, so this rule would open nothing.` });
      return parsed ?? { cidr: '', kind: 'ipv4' as const, bits: 0 };
    }),
  note: z.string().trim().max(200, 'Use at most 200 characters.').default(''),
  confirmBroad: checkbox,
});

export const leaseCreateSchema = z.object({
  // Empty (the form's blank field) means "my own IP".
  ip: z.string().max(64).optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const ip = parseLeaseIp(v);
      if (!ip) ctx.addIssue({ code: 'custom', message: `"${v.trim()}" is not an IP address, such as 203.0.113.7 or 2001:db8::7.` });
      const why = ip && unusableSource(ipaddr.parse(ip), ip.includes(':') ? 128 : 32);
      if (why) ctx.addIssue({ code: 'custom', message: `"${v.trim()}" is ${why}: no WireGuard traffic comes from there, so a lease of it would open nothing.` });
      return ip ?? undefined;
    }),
});

export const noIpMessage = 'We could not determine your IP address; an admin can add a permanent rule instead.';
