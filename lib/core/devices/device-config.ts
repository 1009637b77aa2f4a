import { enrolledGateway } from '../protocol/host-config';
import type { ConfigBody, ConfigPeer, NetworkReach } from './types';

// What a device is given, as a pure function of rows (DESIGN.md flow 5), so the answer to
// POST /devices, the staleness check and the tests all agree.

export type HostRow = {
  ip: string;
  /** Null until the host has enrolled (or had a key registered): such a host is not listed. */
  publicKey: string | null;
  endpoint: string | null;
  isGateway: boolean;
  /** Run by the Meshplane agent, which answers DNS for the zone on the host's private IP. */
  hasAgent: boolean;
};

export type DeviceNetwork = { networkId: string; cidr: string; deviceIp: string; hosts: HostRow[] };

/** IPv4 as a number, for numeric ordering ("10.0.0.9" before "10.0.0.10"). */
export function ipNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function byIp<T extends { ip: string }>(a: T, b: T): number {
  return ipNumber(a.ip) - ipNumber(b.ip);
}

/**
 * One network's part of a device config. With a gateway the device lists it alone, with the
 * whole CIDR (the gateway forwards); otherwise every enrolled host with its own address.
 */
export function networkPeers(network: DeviceNetwork): ConfigPeer[] {
  const gateway = enrolledGateway(network.hosts, (h) => h.isGateway);
  if (gateway) return [{ publicKey: gateway.publicKey!, endpoint: gateway.endpoint, allowedIps: [network.cidr] }];
  return network.hosts
    .filter((h) => h.publicKey !== null)
    .sort(byIp)
    .map((h) => ({ publicKey: h.publicKey!, endpoint: h.endpoint, allowedIps: [`${h.ip}/32`] }));
}

/**
 * The resolver for one network: the gateway or else the lowest host, among hosts that run
 * the agent (only the agent answers DNS). No agent host, no DNS entry: pointing wg-quick at
 * an address where nothing answers would break every name lookup on the device.
 */
export function networkDns(network: DeviceNetwork): string | undefined {
  const resolvers = network.hosts.filter((h) => h.hasAgent && h.publicKey !== null).sort(byIp);
  return (resolvers.find((h) => h.isGateway) ?? resolvers[0])?.ip;
}

/**
 * The whole config body, networks in id order so equal inputs give equal text. Addresses are
 * /32: with the network's prefix, wg-quick would add a connected route for the whole network,
 * which can shadow the LAN the device sits on; the routes come from AllowedIPs instead.
 */
export function assembleDeviceConfig(networks: DeviceNetwork[]): ConfigBody {
  const sorted = [...networks].sort((a, b) => (a.networkId < b.networkId ? -1 : a.networkId > b.networkId ? 1 : 0));
  return {
    addresses: sorted.map((n) => `${n.deviceIp}/32`),
    peers: sorted.flatMap(networkPeers),
    dns: sorted.map(networkDns).filter((ip): ip is string => !!ip),
  };
}


/**
 * Whether a device given this network's part of the config reaches anything, and if not what
 * the operator must do. A device has no endpoint, so it must start every tunnel itself: a
 * listed peer without an endpoint is unreachable.
 */
export function networkReach(network: DeviceNetwork & { label: string }): NetworkReach {
  const at = (reachable: boolean, reason: string | null) => ({ networkId: network.networkId, networkLabel: network.label, reachable, reason });
  const enrolled = network.hosts.filter((h) => h.publicKey !== null);
  if (enrolled.length === 0) {
    return at(false, `No host in ${network.label} has enrolled yet, so this config reaches nothing there. An admin must enrol a host (its page → Enrol, or register its key); then update this config.`);
  }
  const gateway = enrolledGateway(network.hosts, (h) => h.isGateway);
  if (gateway && !gateway.endpoint) {
    return at(false, `The gateway of ${network.label} (${gateway.ip}) has no endpoint devices can reach. An admin must give it one, or make a host with an endpoint the gateway.`);
  }
  if (!gateway && !enrolled.some((h) => h.endpoint)) {
    return at(false, `No host in ${network.label} has an endpoint devices can reach. An admin must give one an endpoint and make it the gateway.`);
  }
  return at(true, null);
}
