/*
 * Which hosts a host talks to, and how: the one rule behind its WireGuard peers and keepalives
 * (host-config.ts), its firewall's sources, the gateway's forward policy (policy/compile.ts)
 * and the peer page's "Reaches". A host with an endpoint can be dialled; one without (behind
 * NAT) can only dial out. Two hosts talk directly when at least one has an endpoint (the other
 * dials it, with a keepalive so the NAT mapping stays open); two that both lack one go through
 * the network's gateway, which must have an endpoint, and forwards between them as it does for
 * devices. Without such a gateway, they cannot reach each other.
 */

export type ReachHost = { peerId: string; publicKey: string | null; endpoint: string | null; gateway: boolean };
export type Route = 'direct' | 'gateway' | 'none';

/** The enrolled gateway, or none: an unenrolled gateway cannot forward anything yet. */
export function enrolledGateway<T extends { publicKey: string | null }>(hosts: T[], isGateway: (h: T) => boolean): T | undefined {
  return hosts.find((h) => isGateway(h) && h.publicKey !== null);
}

/** The gateway, when it can relay between hosts that both lack an endpoint (it needs one itself). */
export function relayOf<T extends { endpoint: string | null }>(gateway: T | undefined): T | undefined {
  return gateway && gateway.endpoint !== null ? gateway : undefined;
}

/** How host `a` reaches host `b` (both enrolled); the same answer both ways. */
export function routeBetween(a: { endpoint: string | null }, b: { endpoint: string | null }, relay: unknown): Route {
  if (a.endpoint !== null || b.endpoint !== null) return 'direct';
  return relay ? 'gateway' : 'none';
}

export type Reach<H> = { gateway: H | undefined; relay: H | undefined; direct: H[]; viaGateway: H[]; unreachable: H[] };

/** Every other enrolled host, sorted into how `selfPeerId` reaches it (input order kept). */
export function reachOf<H extends ReachHost>(hosts: H[], selfPeerId: string): Reach<H> {
  const self = hosts.find((h) => h.peerId === selfPeerId);
  const gateway = enrolledGateway(hosts, (h) => h.gateway);
  const relay = relayOf(gateway);
  const out: Reach<H> = { gateway, relay, direct: [], viaGateway: [], unreachable: [] };
  for (const h of hosts) {
    if (h.peerId === selfPeerId || h.publicKey === null) continue;
    const route = self ? routeBetween(self, h, relay) : 'direct';
    (route === 'direct' ? out.direct : route === 'gateway' ? out.viaGateway : out.unreachable).push(h);
  }
  return out;
}

/** The hosts a gateway forwards between: enrolled hosts without an endpoint, when it is their relay. */
export function relayedBy<H extends ReachHost>(hosts: H[], selfPeerId: string): H[] {
  const relay = relayOf(enrolledGateway(hosts, (h) => h.gateway));
  if (!relay || relay.peerId !== selfPeerId) return [];
  return hosts.filter((h) => h.publicKey !== null && h.endpoint === null);
}
