import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { joinedPeers, members, peers, processes } from '../db/schema';
import { scaleProcesses } from '../members/members';
import type { networks } from '../db/schema';
import { chooseGatewayIfNone } from '../networks/gateway';

type NetworkRow = typeof networks.$inferSelect;

/** The columns an instance has before any host enrolled: no key, no token, nothing applied. */
export const notEnrolled = {
  publicKey: null, endpoint: null, agentUrl: null, hostTokenHash: null, lastSeenAt: null, isGateway: false,
  appliedVersion: 0, pushState: 'pending' as const, attempts: 0, lastError: null, claimedAt: null,
  agentOk: null, agentHealth: null, lastHandshakeAt: null,
};

/**
 * Gives an instance up (leave, or an ephemeral one offline too long), inside the caller's
 * transaction, inside the changeNetwork that locked the network. The instance goes back to "not
 * enrolled"; when it had joined with an autoscale key, the process then shrinks past its
 * highest enrolled instance (never below 1), through the same scaling as PUT /processes:
 * the removed instances' addresses enter their cool-down. Instances below a still-enrolled
 * one cannot go without renumbering their neighbours, so they stay, not enrolled, for the
 * next join. Returns the process's count afterwards.
 */
export async function releaseInstance(tx: Tx, network: NetworkRow, peerId: string): Promise<{ process: string; instances: number; removed: boolean }> {
  const [peer] = await tx.select({ memberId: peers.memberId, process: peers.process, number: peers.number, autoscale: joinedPeers.autoscale })
    .from(peers).leftJoin(joinedPeers, eq(joinedPeers.peerId, peers.id)).where(eq(peers.id, peerId));
  await tx.update(peers).set({ ...notEnrolled, nextAttemptAt: sql`now()` }).where(eq(peers.id, peerId));
  await tx.delete(joinedPeers).where(eq(joinedPeers.peerId, peerId));
  const [proc] = await tx.select({ instances: processes.instances }).from(processes)
    .where(and(eq(processes.memberId, peer.memberId), eq(processes.name, peer.process)));
  let instances = proc?.instances ?? 0;
  if (peer.autoscale) {
    const [highest] = await tx.select({ number: peers.number }).from(peers)
      .where(and(eq(peers.memberId, peer.memberId), eq(peers.process, peer.process), isNotNull(peers.publicKey)))
      .orderBy(desc(peers.number)).limit(1);
    const target = Math.max(highest?.number ?? 0, 1);
    if (target < instances) {
      const [member] = await tx.select().from(members).where(eq(members.id, peer.memberId));
      await scaleProcesses(tx, network, member, { [peer.process]: target });
      instances = target;
    }
  }
  await chooseGatewayIfNone(tx, network.id);
  return { process: peer.process, instances, removed: peer.number > instances };
}
