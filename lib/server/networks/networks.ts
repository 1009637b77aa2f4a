import { and, asc, eq, sql, arrayContains, ilike } from 'drizzle-orm';
import type { z } from 'zod';
import { rows, type Db, type Tx } from '../db/client';
import { memberships, networks, type Network } from '../db/schema';
import { newId } from '../../core/ids';
import { conflict, invalid, notFound, pgConstraint, pgErrorCode } from '../errors';
import { env } from '../env';
import { recordAudit, type Actor } from '../audit/record';
import { nextFreeSlash16, parseNetworkCidr } from '../../core/addressing';
import { changeNetwork } from './change';
import { chooseGatewayIfNone } from './gateway';
import type { networkCreateSchema, networkUpdateSchema } from '../../core/networks/schemas';

/** Explains an overlap, naming the other network only when the caller can see it. */
async function overlapError(db: Db, cidr: string, userId: string) {
  const [other] = await rows<{ id: string; label: string; cidr: string; visible: boolean }>(db, sql`
    select n.id, n.label, host(n.cidr) || '/' || masklen(n.cidr) as cidr,
      exists (select 1 from ${memberships} m where m.project_id = n.project_id and m.user_id = ${userId}) as visible
    from ${networks} n where n.cidr && ${cidr}::inet limit 1`);
  const message = other?.visible
    ? `${cidr} overlaps network ${other.label} (${other.id}, ${other.cidr}).`
    : `${cidr} overlaps another network of this installation.`;
  return conflict(message, 'cidr', 'cidr_overlap');
}

async function takenCidrs(db: Db): Promise<string[]> {
  const list = await rows<{ cidr: string }>(db, sql`select host(cidr) || '/' || masklen(cidr) as cidr from ${networks}`);
  return list.map((r) => r.cidr);
}

export async function createNetwork(db: Db, actor: Actor, projectId: string, input: z.output<typeof networkCreateSchema>) {
  let cidr = input.cidr;
  if (cidr) {
    const check = parseNetworkCidr(cidr);
    if (!check.ok) throw invalid(check.message, 'cidr');
    cidr = check.cidr;
  }
  // An allocated /16 may be taken by a concurrent request; the exclusion constraint decides, we retry.
  for (let attempt = 0; attempt < 5; attempt++) {
    const chosen = cidr ?? nextFreeSlash16(env().MESHPLANE_POOL, await takenCidrs(db));
    if (!chosen) throw conflict(`The address pool ${env().MESHPLANE_POOL} has no free /16 left; choose a CIDR.`, 'cidr', 'pool_full');
    try {
      return await db.transaction(async (tx) => {
        const [network] = await tx.insert(networks).values({
          id: newId('network'), projectId, label: input.label, description: input.description, tags: input.tags, cidr: chosen,
        }).returning();
        await recordAudit(tx, actor, { projectId, action: 'network.create', resourceType: 'network', resourceId: network.id, details: { label: network.label, cidr: chosen } });
        return presentNetwork(network);
      });
    } catch (e) {
      if (pgConstraint(e) === 'networks_project_label_uq') throw conflict(`A network labelled "${input.label}" already exists in this project.`, 'label', 'duplicate_label');
      if (pgErrorCode(e) === '23P01') {
        if (cidr) throw await overlapError(db, cidr, actor.userId);
        continue;
      }
      throw e;
    }
  }
  throw conflict('Could not find a free range; try again.', 'cidr');
}

/** inet comes back as "10.64.0.0/16" from postgres.js and PGlite alike; keep one shape. */
export function presentNetwork(n: Network) {
  return { id: n.id, projectId: n.projectId, label: n.label, description: n.description, tags: n.tags, cidr: n.cidr, listenPort: n.listenPort, configVersion: n.configVersion, autoGateway: n.autoGateway, createdAt: n.createdAt };
}

export async function listNetworks(db: Db, projectId: string, filter: { tag?: string; q?: string } = {}) {
  return db.select({
    id: networks.id, label: networks.label, description: networks.description, tags: networks.tags, cidr: networks.cidr,
    configVersion: networks.configVersion, createdAt: networks.createdAt,
    // Qualified by hand: drizzle renders ${networks.id} as a bare "id", which inside the
    // subquery is the member's or peer's own id, and every count came out 0.
    memberCount: sql<number>`(select count(*)::int from members m where m.network_id = "networks"."id")`,
    peerCount: sql<number>`(select count(*)::int from peers p where p.network_id = "networks"."id")`,
  }).from(networks)
    .where(and(
      eq(networks.projectId, projectId),
      filter.tag ? arrayContains(networks.tags, [filter.tag]) : undefined,
      filter.q ? ilike(networks.label, `%${filter.q.replace(/[%_\\]/g, '\\$&')}%`) : undefined,
    ))
    .orderBy(asc(networks.label));
}

export async function getNetwork(db: Db, networkId: string) {
  const [network] = await db.select().from(networks).where(eq(networks.id, networkId));
  if (!network) throw notFound('Network');
  return presentNetwork(network);
}

export async function updateNetwork(db: Db, actor: Actor, networkId: string, input: z.output<typeof networkUpdateSchema>) {
  const duplicateLabel = (e: unknown) =>
    pgConstraint(e) === 'networks_project_label_uq' ? conflict(`A network labelled "${input.label}" already exists in this project.`, 'label', 'duplicate_label') : e;
  const update = async (tx: Tx) => {
    const [network] = await tx.update(networks).set(input).where(eq(networks.id, networkId)).returning();
    if (!network) throw notFound('Network');
    return network;
  };
  const audit = { action: 'network.update', resourceType: 'network', resourceId: networkId, details: input };
  // Turning automatic choice on picks a gateway now if there is none: hosts' configs change.
  if (input.autoGateway) {
    return changeNetwork(db, actor, networkId, async (tx) => {
      const network = await update(tx);
      await chooseGatewayIfNone(tx, networkId);
      return { result: presentNetwork(network), audit };
    }, duplicateLabel);
  }
  try {
    return await db.transaction(async (tx) => {
      const network = await update(tx);
      await recordAudit(tx, actor, { projectId: network.projectId, ...audit });
      return presentNetwork(network);
    });
  } catch (e) {
    throw duplicateLabel(e);
  }
}

export async function deleteNetwork(db: Db, actor: Actor, networkId: string) {
  await db.transaction(async (tx) => {
    const [gone] = await tx.delete(networks).where(eq(networks.id, networkId)).returning();
    if (!gone) throw notFound('Network');
    await recordAudit(tx, actor, { projectId: gone.projectId, action: 'network.delete', resourceType: 'network', resourceId: networkId, details: { label: gone.label, cidr: gone.cidr } });
  });
}
