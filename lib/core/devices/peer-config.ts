import { deviceBlock, prefixLength } from '../addressing';
import { hostPeersOf, withoutIp, type RoutedPeer } from '../protocol/host-config';
import { ipNumber, type HostRow } from './device-config';
import type { PeerConfigBody } from './types';

// The config of a peer run by hand (an operator's own server, no agent): the same view of the
// network the agent would derive for it (lib/core/protocol/host-config.ts), as wg-quick text.

export type PeerConfigInput = {
  self: { peerId: string; ip: string; isGateway: boolean; endpoint: string | null };
  cidr: string;
  listenPort: number;
  hosts: (HostRow & { peerId: string })[];
  devices: { publicKey: string; ip: string }[];
};

/** The port to listen on: the one in its registered endpoint, else the network's. */
export function listenPortOf(endpoint: string | null, networkPort: number): number {
  const match = endpoint ? /:(\d{1,5})$/.exec(endpoint) : null;
  const port = match ? Number(match[1]) : NaN;
  return port >= 1 && port <= 65535 ? port : networkPort;
}

export function assemblePeerConfig({ self, cidr, listenPort, hosts, devices }: PeerConfigInput): PeerConfigBody {
  const routed = hostPeersOf(hosts.map((h) => ({ ...h, gateway: h.isGateway })), devices, deviceBlock(cidr), self.peerId);
  // Unlike the agent's (by key), listed by address: hosts first, then devices.
  const peers = [...byIp(routed.hosts), ...byIp(routed.devices)].map(withoutIp);
  return { addresses: [`${self.ip}/${prefixLength(cidr)}`], listenPort: listenPortOf(self.endpoint, listenPort), peers };
}

function byIp(peers: RoutedPeer[]): RoutedPeer[] {
  return [...peers].sort((a, b) => ipNumber(a.ip) - ipNumber(b.ip));
}
