import { deviceBlock, prefixLength } from '../networks/addressing';
import { enrolledGateway, ipNumber, type HostRow } from './device-config';
import type { ConfigPeer, PeerConfigBody } from './types';

// The config of a peer run by hand (an operator's own server, no agent): the same view of the
// network the agent would derive for it (lib/protocol/host-config.ts), as wg-quick text.

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
  const gateway = enrolledGateway(hosts);
  const peers: ConfigPeer[] = hosts
    .filter((h) => h.peerId !== self.peerId && h.publicKey !== null)
    .sort((a, b) => ipNumber(a.ip) - ipNumber(b.ip))
    .map((h) => ({
      publicKey: h.publicKey!,
      endpoint: h.endpoint,
      // The gateway also carries every device's traffic, so it routes the device block.
      allowedIps: h === gateway ? [`${h.ip}/32`, deviceBlock(cidr)] : [`${h.ip}/32`],
    }));
  // Without a gateway (or when this peer is it) devices are reached directly.
  if (!gateway || gateway.peerId === self.peerId) {
    for (const d of [...devices].sort((a, b) => ipNumber(a.ip) - ipNumber(b.ip))) {
      peers.push({ publicKey: d.publicKey, endpoint: null, allowedIps: [`${d.ip}/32`] });
    }
  }
  return { addresses: [`${self.ip}/${prefixLength(cidr)}`], listenPort: listenPortOf(self.endpoint, listenPort), peers };
}
