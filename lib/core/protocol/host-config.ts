import ipaddr from 'ipaddr.js';
import { prefixLength } from '../addressing';
import { type ClientPeer, persistentKeepaliveSeconds } from '../wireguard/client-config';
import { type NetworkState, cmp } from './network-state';
import { type HostPolicy, compileHostPolicy } from '../policy/compile';
import { enrolledGateway, relayOf, routeBetween } from './reach';

export { enrolledGateway } from './reach';

/*
 * What one host makes of the shared network document. Pure: the agent, the worker (to show
 * what a host should run) and the benchmark's stub agents all derive the same thing.
 */

/** A host's peer; `persistentKeepalive` (seconds) only where this host dials a peer from behind NAT. */
export type HostPeer = ClientPeer & { persistentKeepalive?: number };
export type FirewallLease = { ip: string; timeoutSeconds: number };
export type DnsRecord = { name: string; ips: string[] };

export type HostConfig = {
  address: string;
  listenPort: number;
  peers: HostPeer[];
  forward: boolean;
  firewall: { port: number; sources: string[]; leases: FirewallLease[] };
  dns: { zone: string; records: DnsRecord[] };
  env: Record<string, string>;
  /** Present only when the network is isolated (lib/core/policy/compile.ts). */
  policy?: NonNullable<HostPolicy>;
};

export class NotInNetworkError extends Error {}

export function deriveHostConfig(state: NetworkState, selfPeerId: string, now: Date): HostConfig {
  const self = state.hosts.find((h) => h.peerId === selfPeerId);
  if (!self) throw new NotInNetworkError(`peer ${selfPeerId} is not a host of ${state.networkId}`);
  const { gateway, hosts, devices } = hostPeersOf(state.hosts, state.devices, state.deviceBlock, selfPeerId);
  const peers = [...hosts, ...devices].map(withoutIp).sort((a, b) => cmp(a.publicKey, b.publicKey));

  return {
    address: `${self.ip}/${prefixLength(state.cidr)}`,
    listenPort: state.listenPort,
    peers,
    forward: gateway === self,
    firewall: firewallOf(state, selfPeerId, now),
    dns: { zone: state.zone, records: dnsRecordsOf(state) },
    env: hostEnv(state.networkId, self),
    ...withPolicy(compileHostPolicy(state, selfPeerId, gateway === self)),
  };
}

/** What decides a host's routing; both the network document and the peers table have it. */
export type RoutingHost = { peerId: string; ip: string; publicKey: string | null; endpoint: string | null; gateway: boolean };
/** A peer with the address it stands for, so each caller can order peers its own way. */
export type RoutedPeer = HostPeer & { ip: string };

/**
 * The peers one host lists, the one routing rule for agents and hosts run by hand (reach.ts
 * says who talks to whom): every other enrolled host it reaches directly at its /32, with a
 * keepalive when this host has no endpoint and dials it; the enrolled gateway also with the
 * device block, and with the /32 of every host reached through it; devices directly only when
 * no gateway carries them, or when this host is the gateway.
 */
export function hostPeersOf<H extends RoutingHost>(
  hosts: H[], devices: { publicKey: string; ip: string }[], deviceBlock: string, selfPeerId: string,
): { gateway: H | undefined; hosts: RoutedPeer[]; devices: RoutedPeer[] } {
  const self = hosts.find((h) => h.peerId === selfPeerId);
  const gateway = enrolledGateway(hosts, (h) => h.gateway);
  const relay = relayOf(gateway);
  const dials = self !== undefined && self.endpoint === null;
  const hostPeers: RoutedPeer[] = [];
  const relayed: string[] = [];
  let gatewayPeer: RoutedPeer | undefined;
  for (const h of hosts) {
    if (h.peerId === selfPeerId || h.publicKey === null) continue;
    const route = self ? routeBetween(self, h, relay) : 'direct';
    if (route === 'gateway') relayed.push(`${h.ip}/32`);
    if (route !== 'direct') continue;
    const peer: RoutedPeer = { publicKey: h.publicKey, endpoint: h.endpoint, allowedIps: h === gateway ? [`${h.ip}/32`, deviceBlock] : [`${h.ip}/32`], ip: h.ip };
    if (dials && h.endpoint !== null) peer.persistentKeepalive = persistentKeepaliveSeconds;
    if (h === gateway) gatewayPeer = peer;
    hostPeers.push(peer);
  }
  // Non-empty only when the relay is listed here: this host has no endpoint, the relay has one.
  if (gatewayPeer) gatewayPeer.allowedIps.push(...relayed);
  const direct = !gateway || gateway === self;
  const devicePeers = direct ? devices.map((d) => ({ publicKey: d.publicKey, endpoint: null, allowedIps: [`${d.ip}/32`], ip: d.ip })) : [];
  return { gateway, hosts: hostPeers, devices: devicePeers };
}

/** A routed peer as listed: ip dropped, keys in the order they always had. */
export function withoutIp({ ip: _ip, ...peer }: RoutedPeer): HostPeer {
  return peer;
}

/** The env file the agent writes on a host (DESIGN.md); the dashboard shows the same. */
export function hostEnv(networkId: string, host: { memberId: string; ip: string; names: string[] }): Record<string, string> {
  return {
    MESHPLANE_NETWORK_ID: networkId,
    MESHPLANE_MEMBER_ID: host.memberId,
    MESHPLANE_PRIVATE_IP: host.ip,
    MESHPLANE_PRIVATE_HOSTNAME: host.names[0],
  };
}

function withPolicy(policy: HostPolicy): Pick<HostConfig, 'policy'> {
  return policy ? { policy } : {};
}

const canonicalQuad = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * UDP to the WireGuard port from where the hosts this host talks to directly come from: their
 * endpoints' addresses, or for a host without an endpoint (behind NAT) the address the control
 * plane last saw it at (`seenFrom`); then the rules, and the leases still running.
 */
function firewallOf(state: NetworkState, selfPeerId: string, now: Date): HostConfig['firewall'] {
  const sources: string[] = [];
  const self = state.hosts.find((h) => h.peerId === selfPeerId);
  const relay = relayOf(enrolledGateway(state.hosts, (h) => h.gateway));
  for (const h of state.hosts) {
    if (h.peerId === selfPeerId || h.publicKey === null) continue;
    if (h.endpoint === null) {
      if (h.seenFrom !== undefined && self && routeBetween(self, h, relay) === 'direct') sources.push(`${h.seenFrom}/${h.seenFrom.includes(':') ? 128 : 32}`);
      continue;
    }
    // Thousands of hosts: a canonical dotted quad needs no parse (it reads back the same).
    const quad = h.endpoint.slice(0, h.endpoint.lastIndexOf(':'));
    if (canonicalQuad.test(quad)) { sources.push(`${quad}/32`); continue; }
    const ip = endpointIp(h.endpoint);
    if (ip) sources.push(ip.kind() === 'ipv4' ? `${ip}/32` : `${ip}/128`);
  }
  sources.push(...state.allow.rules);
  const leases: FirewallLease[] = [];
  for (const l of state.allow.leases) {
    const remainingMs = Date.parse(l.expiresAt) - now.getTime();
    // An expired lease is never rendered, so a late push can never extend access.
    if (remainingMs > 0) leases.push({ ip: l.ip, timeoutSeconds: Math.ceil(remainingMs / 1000) });
  }
  return { port: state.listenPort, sources, leases };
}

/** The IP of a `host:port` endpoint, or null when the host is a name (not renderable as a source). */
export function endpointIp(endpoint: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const host = endpoint.startsWith('[') ? endpoint.slice(1, endpoint.indexOf(']')) : endpoint.slice(0, endpoint.lastIndexOf(':'));
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) return ipaddr.IPv4.parse(host);
  if (ipaddr.IPv6.isValid(host)) return ipaddr.IPv6.parse(host);
  return null;
}

function dnsRecordsOf(state: NetworkState): DnsRecord[] {
  // Thousands of names, most with one address: arrays (a Set only for a name that grows,
  // a group may cover thousands of instances), and the default sort, which orders strings
  // as `cmp` does (UTF-16 code units) without a comparator call per step.
  const byName = new Map<string, string[]>();
  const big = new Map<string, Set<string>>();
  const add = (name: string, ip: string) => {
    const ips = byName.get(name);
    if (!ips) { byName.set(name, [ip]); return; }
    if (ips.length < 16) { if (!ips.includes(ip)) ips.push(ip); return; }
    let seen = big.get(name);
    if (!seen) big.set(name, (seen = new Set(ips)));
    if (!seen.has(ip)) { seen.add(ip); ips.push(ip); }
  };
  for (const h of state.hosts) for (const n of h.names) add(n, h.ip);
  for (const d of state.devices) add(d.name, d.ip);
  return [...byName.keys()].sort().map((name) => ({ name, ips: byName.get(name)! }));
}
