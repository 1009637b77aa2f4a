import { and, asc, eq, sql } from 'drizzle-orm';
import type { Tx, Db } from '../db/client';
import { auditLog, joinedPeers, joinKeys, members, peers, processes, type JoinKey, type Member } from '../db/schema';
import { AppError, conflict, invalid, notFound } from '../errors';
import { env } from '../env';
import { hashToken, newSecretToken } from '../auth/secret-token';
import { changeNetwork } from '../networks/change';
import { chooseGatewayIfNone } from '../networks/gateway';
import { claimPublicKey, keyConflictOf } from '../devices/addresses';
import { instanceProcess, scaleProcesses } from '../members/members';
import { getSigningKey } from '../delivery/signing-key';
import { resolveAgentTarget } from '../delivery/agent-target';
import { onlineWindowMs } from '../../core/delivery/liveness';
import type { JoinInput } from './schemas';

/*
 * POST /api/agent/join (issue 14): an agent trades a reusable join key for an instance of
 * the key's member and the same identity enrolment gives (lib/server/peers/enrollment.ts). One
 * transaction: the network's row lock (changeNetwork's, taken first like every change)
 * serializes joins, so concurrent agents get distinct instances and addresses; a refusal
 * rolls everything back, so a refused join leaves no instance, address, use or version behind.
 */

const refused = (status: 401 | 403 | 409 | 400, code: string, message: string, field?: string) => new AppError(status, code, message, field);

/** Whether a key may still join anyone: the refusal that says what to do, or null. */
export function keyRefusal(key: Pick<JoinKey, 'revokedAt' | 'expiresAt' | 'maxUses' | 'uses'>, now = new Date()): AppError | null {
  if (key.revokedAt) return refused(401, 'key_revoked', 'This join key was revoked. Create a new one on the member\'s page.', 'key');
  if (key.expiresAt <= now) return refused(401, 'key_expired', `This join key expired at ${key.expiresAt.toISOString()}. Create a new one on the member's page.`, 'key');
  if (key.maxUses !== null && key.uses >= key.maxUses) {
    return refused(409, 'key_exhausted', `This join key was used ${key.uses} of ${key.maxUses} times. Create a new one on the member's page, or revoke and re-create it with more uses.`, 'key');
  }
  return null;
}

/** The process this join is for: the key's, or the one the agent names, or the member's only one. */
function processFor(member: Member, key: JoinKey, asked: string | undefined, have: string[]): string {
  if (member.kind !== 'application') {
    if (asked !== undefined && asked !== instanceProcess) throw invalid(`${member.label} is an ${member.kind}: it has instances, no processes. Leave --process out.`, 'process');
    return instanceProcess;
  }
  if (key.process !== null && asked !== undefined && asked !== key.process) {
    throw refused(403, 'process_not_allowed', `This join key joins only process "${key.process}" of ${member.label}: leave --process out, or use a key made for "${asked}".`, 'process');
  }
  const name = key.process ?? asked ?? (have.length === 1 ? have[0] : have.includes('web') ? 'web' : undefined);
  if (name === undefined) throw invalid(`${member.label} has several processes (${have.join(', ')}): choose one with --process.`, 'process');
  if (!have.includes(name)) {
    throw invalid(`${member.label} has no process "${name}" (it has ${have.join(', ') || 'none'}): give one of those with --process, or scale "${name}" up on the member's page first.`, 'process');
  }
  return name;
}

type Slot = { id: string; number: number; publicKey: string | null; live: boolean };

export async function joinHost(db: Db, input: JoinInput, ip: string | null) {
  if (input.agentUrl) {
    const target = await resolveAgentTarget(input.agentUrl, env().MESHPLANE_AGENT_URL_ALLOW);
    if (!target.ok) throw invalid(`agentUrl: ${target.error}`, 'agentUrl');
  }
  const keyHash = hashToken(input.key);
  const [found] = await db.select({ id: joinKeys.id, memberId: joinKeys.memberId, networkId: members.networkId }).from(joinKeys)
    .innerJoin(members, eq(members.id, joinKeys.memberId)).where(eq(joinKeys.keyHash, keyHash));
  if (!found) throw refused(401, 'invalid_key', 'Unknown join key: copy it again from the member\'s page (it is shown once), or create a new one.', 'key');
  if (input.memberId && input.memberId !== found.memberId) {
    throw refused(403, 'wrong_member', `This join key is for member ${found.memberId}, not ${input.memberId}: use a key made on ${input.memberId}'s page.`, 'key');
  }
  const { publicKeyBase64 } = await getSigningKey(db);
  const hostToken = newSecretToken('mph');
  return changeNetwork(db, null, found.networkId, async (tx, network) => {
    const [key] = await tx.select().from(joinKeys).where(eq(joinKeys.id, found.id)).for('update');
    if (!key) throw refused(401, 'invalid_key', 'This join key was deleted with its member.', 'key');
    const refusal = keyRefusal(key);
    if (refusal) throw refusal;
    const [member] = await tx.select().from(members).where(eq(members.id, key.memberId));
    if (!member) throw notFound('Member');
    const have = await tx.select().from(processes).where(eq(processes.memberId, member.id)).orderBy(asc(processes.name));
    const process = processFor(member, key, input.process, have.map((p) => p.name));
    const count = have.find((p) => p.name === process)?.instances ?? 0;
    const slots = await slotsOf(tx, member.id, process, input.publicKey);
    const number = chooseInstance(key, member, process, count, slots, input.instance);
    if (number > count) await scaleProcesses(tx, network, member, { [process]: number });
    const [peer] = await tx.select({ id: peers.id, ip: sql<string>`host(${peers.ip})` }).from(peers)
      .where(and(eq(peers.memberId, member.id), eq(peers.process, process), eq(peers.number, number)));
    await claimPublicKey(tx, input.publicKey, { peerId: peer.id });
    await tx.update(peers).set({
      publicKey: input.publicKey, endpoint: input.endpoint ?? null, agentUrl: input.agentUrl ?? null, hostTokenHash: hashToken(hostToken),
      seenFrom: input.endpoint ? null : ip, // behind NAT: where it comes from (channel.ts keeps it current)
      lastSeenAt: null, appliedVersion: 0, pushState: 'pending', attempts: 0, lastError: null,
      nextAttemptAt: sql`now()`, claimedAt: null, agentOk: null, agentHealth: null, lastHandshakeAt: null,
    }).where(eq(peers.id, peer.id));
    const joined = { joinKeyId: key.id, ephemeral: key.ephemeral, autoscale: key.autoscale, joinedAt: new Date() };
    await tx.insert(joinedPeers).values({ peerId: peer.id, ...joined }).onConflictDoUpdate({ target: joinedPeers.peerId, set: joined });
    await tx.update(joinKeys).set({ uses: sql`${joinKeys.uses} + 1`, lastUsedAt: sql`now()` }).where(eq(joinKeys.id, key.id));
    await chooseGatewayIfNone(tx, network.id);
    await tx.insert(auditLog).values({
      projectId: network.projectId, actorUserId: null, actorEmail: `agent ${peer.id}`, action: 'peer.join', resourceType: 'peer', resourceId: peer.id, ip,
      details: { joinKeyId: key.id, memberId: member.id, process, number, scaledTo: number > count ? number : null, endpoint: input.endpoint ?? null },
    });
    return { result: { peerId: peer.id, hostToken, signingPublicKey: publicKeyBase64, memberId: member.id, process, instance: number, ip: peer.ip } };
  }, keyConflictOf);
}

/** The process's instances, each with whether another host that is (or just became) online holds it. */
async function slotsOf(tx: Tx, memberId: string, process: string, publicKey: string): Promise<Slot[]> {
  const since = sql`now() - make_interval(secs => ${onlineWindowMs / 1000})`;
  return tx.select({
    id: peers.id, number: peers.number, publicKey: peers.publicKey,
    live: sql<boolean>`coalesce(${peers.publicKey} is not null and ${peers.publicKey} <> ${publicKey}
      and (${peers.lastSeenAt} > ${since} or ${joinedPeers.joinedAt} > ${since}), false)`,
  }).from(peers).leftJoin(joinedPeers, eq(joinedPeers.peerId, peers.id))
    .where(and(eq(peers.memberId, memberId), eq(peers.process, process))).orderBy(asc(peers.number)).for('update', { of: peers });
}

/** Instance N if asked and free; else the lowest one with no host; else, with autoscale, the next. */
export function chooseInstance(key: Pick<JoinKey, 'autoscale' | 'maxInstances'>, member: Pick<Member, 'label'>, process: string, count: number, slots: Slot[], asked: number | undefined): number {
  const name = `${process} of ${member.label}`;
  const cap = key.maxInstances;
  if (asked !== undefined) {
    const slot = slots.find((s) => s.number === asked);
    if (slot?.live) throw conflict(`Instance ${asked} of ${name} is held by another host that is online: give another --instance, or leave it out to take a free one.`, 'instance', 'instance_taken');
    if (asked <= count) return asked;
    if (!key.autoscale) throw conflict(`${name} has ${count} ${count === 1 ? 'instance' : 'instances'}; --instance ${asked} is beyond them and this key does not autoscale. Scale the process up, use a key with autoscale, or leave --instance out.`, 'instance', 'instance_out_of_range');
    if (cap !== null && asked > cap) throw conflict(`This key autoscales ${name} up to ${cap} instances; --instance ${asked} is beyond that. Give a lower --instance, or create a key with a higher maxInstances.`, 'instance', 'max_instances');
    return asked;
  }
  const free = slots.find((s) => s.publicKey === null);
  if (free) return free.number;
  if (!key.autoscale) throw conflict(`Every instance of ${name} (${count}) has a host. Scale the process up, or use a key with autoscale.`, 'instance', 'no_free_instance');
  if (cap !== null && count >= cap) throw conflict(`${name} has reached this key's ${cap} instances. Let a host leave, or create a key with a higher maxInstances.`, 'instance', 'max_instances');
  return count + 1;
}
