import { asc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { members, peers } from '../db/schema';
import { notFound } from '../errors';
import { reachOf } from '../../core/protocol/reach';
import { instanceProcess } from '../members/members';

/*
 * The peer page's "Reaches": which enrolled hosts this host talks to directly, which through the
 * gateway, and which not at all, by the same rule its config is derived with
 * (lib/core/protocol/reach.ts). One query over the network's peers.
 */

export type ReachItem = { peerId: string; ip: string; name: string; endpoint: string | null; gateway: boolean };

export async function peerReach(db: Queryable, peerId: string) {
  const [self] = await db.select({ networkId: peers.networkId }).from(peers).where(eq(peers.id, peerId));
  if (!self) throw notFound('Peer');
  const rows = await db.select({
    peerId: peers.id, ip: sql<string>`host(${peers.ip})`, publicKey: peers.publicKey, endpoint: peers.endpoint, gateway: peers.isGateway,
    label: members.label, process: peers.process, number: peers.number,
  }).from(peers).innerJoin(members, eq(members.id, peers.memberId)).where(eq(peers.networkId, self.networkId)).orderBy(asc(peers.ip));
  const r = reachOf(rows, peerId);
  const item = (h: (typeof rows)[number]): ReachItem => ({
    peerId: h.peerId, ip: h.ip, endpoint: h.endpoint, gateway: h.gateway,
    name: `${h.label} ${h.process === instanceProcess ? '#' : `${h.process}.`}${h.number}`,
  });
  return {
    /** The gateway that relays between hosts without endpoints, or null when there is none (or it has no endpoint). */
    relay: r.relay ? item(r.relay) : null,
    direct: r.direct.map(item), viaGateway: r.viaGateway.map(item), unreachable: r.unreachable.map(item),
  };
}
export type PeerReach = Awaited<ReturnType<typeof peerReach>>;
