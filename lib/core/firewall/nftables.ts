import ipaddr from 'ipaddr.js';
import type { CompiledRule, ForwardRule } from '../policy/compile';

/*
 * The host's WireGuard allow-list as one nftables script, loaded atomically with `nft -f`.
 * It owns `table inet meshplane` and nothing else: the script first declares the table (so
 * the delete cannot fail on a fresh host; `destroy table` needs nftables >= 1.0.8, Debian 12
 * ships 1.0.6), deletes it, and recreates it, all in one transaction.
 * Leases are set elements with their own `timeout`, so the kernel closes them on time even
 * when the control plane is down; expired leases are never rendered.
 */

export type FirewallInput = {
  port: number;
  sources: string[]; // CIDRs or single addresses, IPv4 or IPv6
  leases: { ip: string; timeoutSeconds: number }[];
  /**
   * The host's private IP and its WireGuard interface: traffic to that IP that did not come in
   * through the interface (or from the machine itself) is dropped, so a neighbour on the
   * underlay who routes the mesh range to this host reaches nothing bound to it.
   */
  guard?: { ip: string; interface: string };
  /**
   * An isolated network's access policy (lib/core/policy/compile.ts), applied to what arrives
   * over WireGuard: one set and one rule per rule that concerns this host, never one per host.
   */
  policy?: { interface: string; input: CompiledRule[]; forward: ForwardRule[] | null };
};

export const nftTable = 'meshplane';

export function renderNftables(input: FirewallInput): string {
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) throw new Error(`bad port ${input.port}`);
  const allowed = mergeSources(input.sources);
  const leases = mergeLeases(input.leases);
  const p = input.port;
  const g = input.guard;
  if (g && (!/^[A-Za-z0-9_.-]{1,15}$/.test(g.interface) || !ipaddr.IPv4.isValidFourPartDecimal(g.ip))) throw new Error(`bad guard ${g.ip} on ${g.interface}`);
  const pol = input.policy;
  if (pol && !/^[A-Za-z0-9_.-]{1,15}$/.test(pol.interface)) throw new Error(`bad interface ${pol.interface}`);
  return [
    `table inet ${nftTable}`,
    `delete table inet ${nftTable}`,
    `table inet ${nftTable} {`,
    set('allowed', 'ipv4_addr', 'interval', allowed.v4),
    set('leases', 'ipv4_addr', 'interval, timeout', leases.v4),
    set('allowed6', 'ipv6_addr', 'interval', allowed.v6),
    set('leases6', 'ipv6_addr', 'interval, timeout', leases.v6),
    ...(pol ? policySets(pol) : []),
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    ...(g ? [`    ip daddr ${g.ip} iifname != { "${g.interface}", "lo" } drop`] : []),
    ...(pol ? [`    iifname "${pol.interface}" jump policy_in`] : []),
    `    udp dport ${p} ip saddr @allowed accept`,
    `    udp dport ${p} ip saddr @leases accept`,
    `    udp dport ${p} ip6 saddr @allowed6 accept`,
    `    udp dport ${p} ip6 saddr @leases6 accept`,
    `    udp dport ${p} drop`,
    '  }',
    ...(pol ? policyChains(pol) : []),
    '}',
    '',
  ].join('\n');
}

function policySets(pol: NonNullable<FirewallInput['policy']>): string[] {
  const out: string[] = [];
  pol.input.forEach((r, i) => out.push(set(`pin${i}`, 'ipv4_addr', 'interval', policyElements(r.sources))));
  (pol.forward ?? []).forEach((r, i) => {
    out.push(set(`pfs${i}`, 'ipv4_addr', 'interval', policyElements(r.sources)));
    out.push(set(`pfd${i}`, 'ipv4_addr', 'interval', policyElements(r.destinations)));
  });
  return out;
}

/**
 * A dotted quad (four groups of 1–3 digits) read as ((a << 24) >>> 0) + (b << 16) + (c << 8) + d,
 * or -1: the regular expression and Number() cost more than the rest of a 25,000-address render.
 */
function quadNumber(a: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let big = false;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return -1;
      part = part * 10 + (c - 48);
    } else if (c === 46 && digits > 0 && dots < 3) {
      if (part > 255) big = true;
      value = value * 256 + part;
      part = 0; digits = 0; dots++;
    } else return -1;
  }
  if (digits === 0 || dots !== 3) return -1;
  // Parts above 255 (never in a validated document) combine as the shifts did.
  return big || part > 255 ? quadShifted(a) : value * 256 + part;
}

function quadShifted(a: string): number {
  const [w, x, y, z] = a.split('.').map(Number);
  return ((w << 24) >>> 0) + (x << 16) + (y << 8) + z;
}

/**
 * A rule's addresses as set elements. Rules list whole members' hosts (thousands of bare
 * addresses, already validated by the document schema), so those skip ipaddr.js: parsed to
 * integers, deduplicated and sorted numerically. Lists with a CIDR take the general path.
 */
function policyElements(list: string[]): string[] {
  const nums: number[] = [];
  for (const a of list) {
    const n = quadNumber(a);
    if (n < 0) return mergeSources(list).v4;
    nums.push(n);
  }
  const sorted = Float64Array.from(new Set(nums)).sort();
  const out: string[] = new Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    const n = sorted[i];
    out[i] = `${Math.floor(n / 16777216)}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
  }
  return out;
}

// Stateful: replies to allowed connections pass; a new connection needs a rule. DNS for the
// mesh is always answered (the host's own responder), and traffic a host sends itself never
// arrives over WireGuard, so it is not filtered here.
function policyChains(pol: NonNullable<FirewallInput['policy']>): string[] {
  return [
    '  chain policy_in {',
    '    ct state established,related accept',
    '    meta l4proto { tcp, udp } th dport 53 accept',
    ...pol.input.map((r, i) => `    ip saddr @pin${i} ${match(r)}accept comment "${r.id}"`),
    '    drop',
    '  }',
    // Only a gateway forwards (devices' traffic): elsewhere forwarding is off.
    ...(pol.forward ? [
      '  chain forward {',
      '    type filter hook forward priority filter; policy accept;',
      `    iifname "${pol.interface}" jump policy_fwd`,
      '  }',
      '  chain policy_fwd {',
      '    ct state established,related accept',
      ...pol.forward.map((r, i) => `    ip saddr @pfs${i} ip daddr @pfd${i} ${match(r)}accept comment "${r.id}"`),
      '    drop',
      '  }',
    ] : []),
  ];
}

/** The protocol/port part of an nft rule, with a trailing space when not empty. */
function match(r: CompiledRule): string {
  if (!/^[a-z]{2}-[0-9a-z]{1,40}$/.test(r.id)) throw new Error(`bad rule id ${r.id}`);
  const ports = r.ports === 'any' ? null : r.ports;
  if (ports !== null && !/^\d{1,5}(?:-\d{1,5})?$/.test(ports)) throw new Error(`bad ports ${ports}`);
  switch (r.protocol) {
    case 'icmp': return 'meta l4proto icmp ';
    case 'tcp': case 'udp': return ports ? `${r.protocol} dport ${ports} ` : `meta l4proto ${r.protocol} `;
    case 'any': return ports ? `meta l4proto { tcp, udp } th dport ${ports} ` : '';
  }
}

function set(name: string, type: string, flags: string, elements: string[]): string {
  const head = `  set ${name} {\n    type ${type}; flags ${flags};\n`;
  if (elements.length === 0) return `${head}  }`;
  const lines: string[] = [];
  for (let i = 0; i < elements.length; i += 8) lines.push(`      ${elements.slice(i, i + 8).join(', ')}`);
  return `${head}    elements = {\n${lines.join(',\n')}\n    }\n  }`;
}

type Net = { addr: ipaddr.IPv4 | ipaddr.IPv6; bits: number };

// Interval sets refuse overlapping elements ("conflicting intervals"), so a source inside a
// broader one is dropped. Only non-host prefixes can contain others, and there are few of
// them (rules), so this stays linear in the number of host endpoints.
function mergeSources(sources: string[]): { v4: string[]; v6: string[] } {
  // IPv4 host addresses (the hosts' endpoints: thousands) as integers, without ipaddr.js;
  // the rest (prefixes, IPv6) through it. The output is the same either way.
  const hosts4 = new Set<number>();
  const nets = new Map<string, Net>();
  for (const s of sources) {
    const n = hostV4(s);
    if (n !== null) { hosts4.add(n); continue; }
    const net = parseNet(s);
    nets.set(`${net.addr}/${net.bits}`, net);
  }
  const list = [...nets.values()].sort((a, b) => a.bits - b.bits);
  const broad: Net[] = [];
  const kept: Net[] = [];
  for (const n of list) {
    if (broad.some((b) => b.addr.kind() === n.addr.kind() && n.addr.match(b.addr, b.bits))) continue;
    if (n.bits < fullBits(n.addr)) broad.push(n);
    kept.push(n);
  }
  const broad4 = broad.filter((b) => b.addr.kind() === 'ipv4').map((b) => ({ base: v4Number(b.addr), size: 2 ** (32 - b.bits) }));
  // Address order: the same network renders the same script whatever the hosts' order.
  const v4 = new Map<number, string>();
  for (const n of kept) if (n.addr.kind() === 'ipv4') v4.set(v4Number(n.addr), n.bits === 32 ? n.addr.toString() : `${n.addr}/${n.bits}`);
  for (const h of hosts4) {
    if (v4.has(h) || broad4.some((b) => h >= b.base && h < b.base + b.size)) continue;
    v4.set(h, v4Text(h));
  }
  const v6 = kept.filter((n) => n.addr.kind() === 'ipv6').sort((a, b) => compareAddr(a.addr, b.addr));
  return {
    v4: [...v4.keys()].sort((a, b) => a - b).map((k) => v4.get(k)!),
    v6: v6.map((n) => (n.bits === 128 ? n.addr.toString() : `${n.addr}/${n.bits}`)),
  };
}

const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const hostV4Pattern = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}(?:/32)?$`);

/** A canonical dotted quad (optionally /32) as an integer, else null (left to ipaddr.js). */
function hostV4(s: string): number | null {
  const m = hostV4Pattern.exec(s);
  return m ? Number(m[1]) * 16777216 + Number(m[2]) * 65536 + Number(m[3]) * 256 + Number(m[4]) : null;
}

const v4Number = (a: ipaddr.IPv4 | ipaddr.IPv6) => a.toByteArray().reduce((n, b) => n * 256 + b, 0);
const v4Text = (n: number) => `${Math.floor(n / 16777216)}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;

function mergeLeases(leases: FirewallInput['leases']): { v4: string[]; v6: string[] } {
  const best = new Map<string, { addr: ipaddr.IPv4 | ipaddr.IPv6; timeout: number }>();
  for (const l of leases) {
    if (!(l.timeoutSeconds > 0)) continue; // expired: never rendered
    const addr = ipaddr.process(l.ip);
    const key = addr.toString();
    const t = Math.ceil(l.timeoutSeconds);
    if ((best.get(key)?.timeout ?? 0) < t) best.set(key, { addr, timeout: t });
  }
  const out = { v4: [] as string[], v6: [] as string[] };
  const sorted = [...best].sort(([, a], [, b]) => compareAddr(a.addr, b.addr));
  for (const [key, { addr, timeout }] of sorted) (addr.kind() === 'ipv4' ? out.v4 : out.v6).push(`${key} timeout ${timeout}s`);
  return out;
}

const fullBits = (a: ipaddr.IPv4 | ipaddr.IPv6) => (a.kind() === 'ipv4' ? 32 : 128);

function compareAddr(a: ipaddr.IPv4 | ipaddr.IPv6, b: ipaddr.IPv4 | ipaddr.IPv6): number {
  const x = a.toByteArray();
  const y = b.toByteArray();
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

function parseNet(s: string): Net {
  if (!s.includes('/')) {
    const addr = ipaddr.process(s);
    return { addr, bits: fullBits(addr) };
  }
  const [addr, bits] = ipaddr.parseCIDR(s);
  // Host bits set ("10.1.2.3/8") would be rejected by nft: keep the network address.
  const network = addr.kind() === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(s)
    : ipaddr.IPv6.networkAddressFromCIDR(s);
  return { addr: network, bits };
}
