import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, Tx } from '../db/client';
import { members, networks, peers, processes, type Member } from '../db/schema';
import { newId } from '../../core/ids';
import { conflict, invalid, notFound, pgConstraint } from '../errors';
import { recordAudit, type Actor } from '../audit/record';
import { changeNetwork } from '../networks/change';
import { chooseGatewayIfNone } from '../networks/gateway';
import { allocateAddresses, releaseAddresses } from '../networks/allocation';
import type { memberCreateSchema, memberUpdateSchema } from './schemas';

/** Addons and externals keep their instances under this one process row. */
export const instanceProcess = 'instance';

type NetworkRow = typeof networks.$inferSelect;

/** Brings each named process to its count: adds the next numbers, removes the highest first. */
export async function scaleProcesses(tx: Tx, network: NetworkRow, member: Member, targets: Record<string, number>) {
  const current = await tx.select().from(processes).where(eq(processes.memberId, member.id));
  const counts = new Map(current.map((p) => [p.name, p.instances]));
  const toAdd: { process: string; number: number }[] = [];
  for (const [name, target] of Object.entries(targets)) {
    const have = counts.get(name) ?? 0;
    for (let n = have + 1; n <= target; n++) toAdd.push({ process: name, number: n });
    if (target < have) {
      const removed = await tx.delete(peers)
        .where(and(eq(peers.memberId, member.id), eq(peers.process, name), gt(peers.number, target)))
        .returning({ ip: peers.ip });
      await releaseAddresses(tx, network.id, removed.map((r) => r.ip));
      await chooseGatewayIfNone(tx, network.id); // the gateway may have been among them
    }
    if (target === 0) await tx.delete(processes).where(and(eq(processes.memberId, member.id), eq(processes.name, name)));
    else await tx.insert(processes).values({ memberId: member.id, name, instances: target })
      .onConflictDoUpdate({ target: [processes.memberId, processes.name], set: { instances: target } });
  }
  const ids = toAdd.map(() => newId('peer'));
  const ips = await allocateAddresses(tx, network, ids, 'peers');
  // Large scale-ups go in chunks: one statement per 1,000 rows keeps parameters in bounds.
  for (let i = 0; i < toAdd.length; i += 1000) {
    await tx.insert(peers).values(toAdd.slice(i, i + 1000).map((p, j) => ({
      id: ids[i + j], networkId: network.id, memberId: member.id, process: p.process, number: p.number, ip: ips[i + j],
    })));
  }
  return { added: toAdd.length };
}

function initialProcesses(input: z.output<typeof memberCreateSchema>): Record<string, number> {
  if (input.kind === 'application') {
    if (input.instances !== undefined) throw invalid('Applications scale by process: use "processes", e.g. {"web": 2}.', 'instances');
    return input.processes ?? { web: 1 };
  }
  if (input.processes !== undefined) throw invalid('Only applications have processes; use "instances".', 'processes');
  return { [instanceProcess]: input.instances ?? 1 };
}

const duplicateLabel = (label: string | undefined) => (e: unknown) =>
  pgConstraint(e) === 'members_network_label_uq' ? conflict(`A member labelled "${label}" already exists in this network.`, 'label', 'duplicate_label') : e;

const networkOfMember = (memberId: string) => async (tx: Tx) => {
  const [member] = await tx.select({ networkId: members.networkId }).from(members).where(eq(members.id, memberId));
  if (!member) throw notFound('Member');
  return member.networkId;
};

async function memberRow(tx: Tx, memberId: string): Promise<Member> {
  const [member] = await tx.select().from(members).where(eq(members.id, memberId));
  if (!member) throw notFound('Member'); // deleted between the lookup and the network lock
  return member;
}

export async function createMember(db: Db, actor: Actor, networkId: string, input: z.output<typeof memberCreateSchema>) {
  const targets = initialProcesses(input);
  return changeNetwork(db, actor, networkId, async (tx, network) => {
    const [member] = await tx.insert(members).values({
      id: newId(input.kind), networkId, kind: input.kind, label: input.label, tags: input.tags,
    }).returning();
    await scaleProcesses(tx, network, member, targets);
    return { result: member, audit: { action: 'member.create', resourceType: 'member', resourceId: member.id, details: { label: member.label, kind: member.kind, processes: targets, networkId: network.id } } };
  }, duplicateLabel(input.label));
}

export async function scaleMember(db: Db, actor: Actor, memberId: string, input: Record<string, number>) {
  return changeNetwork(db, actor, networkOfMember(memberId), async (tx, network) => {
    const member = await memberRow(tx, memberId);
    const isApp = member.kind === 'application';
    if (isApp && 'instances' in input) throw invalid('Applications scale by process, e.g. {"web": 3}.', 'instances');
    if (!isApp && (Object.keys(input).length !== 1 || !('instances' in input))) throw invalid('Addons and externals scale with {"instances": N}.', 'instances');
    const targets = isApp ? input : { [instanceProcess]: input.instances };
    await scaleProcesses(tx, network, member, targets);
    return { result: member, audit: { action: 'member.scale', resourceType: 'member', resourceId: member.id, details: input } };
  });
}

export async function updateMember(db: Db, actor: Actor, memberId: string, input: z.output<typeof memberUpdateSchema>) {
  const update = async (tx: Tx) => {
    const [member] = await tx.update(members).set(input).where(eq(members.id, memberId)).returning();
    if (!member) throw notFound('Member');
    return member;
  };
  const audit = { action: 'member.update', resourceType: 'member', resourceId: memberId, details: input };
  // Tags select hosts in access-policy rules ("tag:db"): retagging changes the hosts' configs.
  if (input.tags !== undefined) {
    return changeNetwork(db, actor, networkOfMember(memberId), async (tx) => ({ result: await update(tx), audit }), duplicateLabel(input.label));
  }
  try {
    return await db.transaction(async (tx) => {
      const member = await update(tx);
      const [network] = await tx.select({ projectId: networks.projectId }).from(networks).where(eq(networks.id, member.networkId));
      await recordAudit(tx, actor, { projectId: network.projectId, ...audit });
      return member;
    });
  } catch (e) {
    throw duplicateLabel(input.label)(e);
  }
}

export async function deleteMember(db: Db, actor: Actor, memberId: string) {
  await changeNetwork(db, actor, networkOfMember(memberId), async (tx, network) => {
    const member = await memberRow(tx, memberId);
    const removed = await tx.delete(peers).where(eq(peers.memberId, memberId)).returning({ ip: peers.ip });
    await releaseAddresses(tx, network.id, removed.map((r) => r.ip));
    await chooseGatewayIfNone(tx, network.id);
    await tx.delete(members).where(eq(members.id, memberId));
    return { result: undefined, audit: { action: 'member.delete', resourceType: 'member', resourceId: memberId, details: { label: member.label, peers: removed.length, networkId: member.networkId } } };
  });
}

export async function listMembers(db: Db, networkId: string) {
  const list = await db.select().from(members).where(eq(members.networkId, networkId)).orderBy(asc(members.label));
  const procs = list.length ? await db.select().from(processes).where(inArray(processes.memberId, list.map((m) => m.id))).orderBy(asc(processes.name)) : [];
  const byMember = new Map<string, typeof procs>();
  for (const p of procs) byMember.set(p.memberId, [...(byMember.get(p.memberId) ?? []), p]);
  return list.map((m) => ({ ...m, ...presentProcesses(m, byMember.get(m.id) ?? []) }));
}

export async function getMember(db: Db, memberId: string) {
  const [member] = await db.select().from(members).where(eq(members.id, memberId));
  if (!member) throw notFound('Member');
  const procs = await db.select().from(processes).where(eq(processes.memberId, memberId)).orderBy(asc(processes.name));
  return { ...member, ...presentProcesses(member, procs) };
}

/** Applications show their processes; addons and externals an instance count. */
function presentProcesses(member: Member, procs: { name: string; instances: number }[]) {
  if (member.kind === 'application') return { processes: Object.fromEntries(procs.map((p) => [p.name, p.instances])), instances: procs.reduce((s, p) => s + p.instances, 0) };
  return { processes: null, instances: procs[0]?.instances ?? 0 };
}

