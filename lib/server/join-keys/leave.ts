import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditLog, joinedPeers, peers } from '../db/schema';
import { changeNetwork } from '../networks/change';
import { authenticateHost } from '../delivery/host-auth';
import { onlineWindowMs } from '../../core/delivery/liveness';
import { releaseInstance } from './release';

/*
 * Instances that come and go (issue 14): an agent leaves with its host token (`meshplane-agent
 * leave`, or SIGTERM with --leave-on-exit), and the worker releases instances joined with an
 * ephemeral key that stayed offline past MESHPLANE_EPHEMERAL_GRACE_MINUTES.
 */

// POST /api/agent/v1/leave: the host gives its instance up; its token stops working at once.
export async function leaveHost(db: Db, authorization: string | null, ip: string | null) {
  const host = await authenticateHost(db, authorization);
  return changeNetwork(db, null, host.networkId, async (tx, network) => {
    const result = await releaseInstance(tx, network, host.peerId);
    await tx.insert(auditLog).values({
      projectId: network.projectId, actorUserId: null, actorEmail: `agent ${host.peerId}`, action: 'peer.leave', resourceType: 'peer', resourceId: host.peerId, ip,
      details: result,
    });
    return { result: { peerId: host.peerId, ...result } };
  });
}

/**
 * Releases ephemeral instances offline for longer than the grace (at least the online
 * window: a connected agent is seen about every long-poll), a few per round. Each in its own
 * transaction, re-checked under the network's lock, so a host that called meanwhile stays.
 */
export async function releaseEphemeral(db: Db, graceMinutes: number, now = new Date(), limit = 50): Promise<number> {
  const cutoff = new Date(now.getTime() - Math.max(graceMinutes * 60_000, onlineWindowMs));
  const stale = sql`coalesce(${peers.lastSeenAt}, ${joinedPeers.joinedAt}) < ${cutoff.toISOString()}::timestamptz`;
  const due = await db.select({ peerId: peers.id, networkId: peers.networkId }).from(joinedPeers)
    .innerJoin(peers, eq(peers.id, joinedPeers.peerId)).where(and(eq(joinedPeers.ephemeral, true), stale)).limit(limit);
  let released = 0;
  for (const d of due) {
    released += await changeNetwork(db, null, d.networkId, async (tx, network) => {
      const [still] = await tx.select({ peerId: joinedPeers.peerId }).from(joinedPeers).innerJoin(peers, eq(peers.id, joinedPeers.peerId))
        .where(and(eq(joinedPeers.peerId, d.peerId), eq(joinedPeers.ephemeral, true), stale));
      // It called meanwhile, or left: nothing changes, not even the version.
      if (!still) return { result: 0, unchanged: true };
      const result = await releaseInstance(tx, network, d.peerId);
      await tx.insert(auditLog).values({
        projectId: network.projectId, actorUserId: null, actorEmail: 'control plane', action: 'peer.release', resourceType: 'peer', resourceId: d.peerId,
        details: { ...result, reason: `ephemeral, offline for more than ${graceMinutes} minutes` },
      });
      return { result: 1 };
    });
  }
  return released;
}

