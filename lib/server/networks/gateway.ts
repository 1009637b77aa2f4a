import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../db/client';
import { members, networks, peers } from '../db/schema';
import { notFound } from '../errors';

// A network's devices list its gateway alone (lib/core/devices/device-config.ts), so a device's
// config survives hosts coming and going as long as the gateway stays. One is chosen here,
// automatically, unless the operator turned that off for the network.

/**
 * When the network chooses its gateway itself and has no enrolled one, makes the lowest
 * suitable host the gateway: enrolled, with an endpoint devices can reach, run by the agent.
 * Call inside the changeNetwork that changed the hosts (its lock on the network serializes
 * gateway choices). Answers the chosen peer's id, or null when nothing changed.
 */
export async function chooseGatewayIfNone(tx: Tx, networkId: string): Promise<string | null> {
  const [network] = await tx.select({ autoGateway: networks.autoGateway }).from(networks).where(eq(networks.id, networkId));
  if (!network?.autoGateway) return null;
  const [current] = await tx.select({ id: peers.id }).from(peers)
    .where(and(eq(peers.networkId, networkId), eq(peers.isGateway, true), isNotNull(peers.publicKey))).limit(1);
  if (current) return null;
  const [candidate] = await tx.select({ id: peers.id }).from(peers)
    .where(and(eq(peers.networkId, networkId), isNotNull(peers.publicKey), isNotNull(peers.endpoint), isNotNull(peers.hostTokenHash)))
    .orderBy(asc(peers.ip)).limit(1);
  if (!candidate) return null;
  // One gateway per network: a flag left on a host that has no key yet goes.
  await tx.update(peers).set({ isGateway: sql`${peers.id} = ${candidate.id}` }).where(eq(peers.networkId, networkId));
  return candidate.id;
}

/** The network's gateway for its page: which host, whether devices can use it, and the setting. */
export async function networkGateway(q: Queryable, networkId: string) {
  const [network] = await q.select({ autoGateway: networks.autoGateway }).from(networks).where(eq(networks.id, networkId));
  if (!network) throw notFound('Network');
  const [host] = await q.select({
    peerId: peers.id, ip: sql<string>`host(${peers.ip})`, memberLabel: members.label, memberId: members.id,
    process: peers.process, number: peers.number, endpoint: peers.endpoint, enrolled: sql<boolean>`${peers.publicKey} is not null`,
  }).from(peers).innerJoin(members, eq(members.id, peers.memberId))
    .where(and(eq(peers.networkId, networkId), eq(peers.isGateway, true))).limit(1);
  return { autoGateway: network.autoGateway, gateway: host ?? null };
}
