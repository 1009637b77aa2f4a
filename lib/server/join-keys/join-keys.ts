import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { joinKeys, members, networks, processes, type JoinKey } from '../db/schema';
import { newId } from '../../core/ids';
import { invalid, notFound } from '../errors';
import { recordAudit, type Actor } from '../audit/record';
import { hashToken, newSecretToken } from '../auth/secret-token';
import { instanceProcess } from '../members/members';
import type { JoinKeyCreate } from './schemas';

/*
 * Reusable join keys (issue 14): an admin makes one for a member; agents trade it for an
 * instance (join.ts). The key is returned once and only its hash is kept.
 */

/** A key as lists show it: what it may do and how much it was used, never the key. */
export function presentJoinKey(k: JoinKey) {
  return {
    id: k.id, memberId: k.memberId, process: k.process, expiresAt: k.expiresAt, maxUses: k.maxUses, uses: k.uses,
    lastUsedAt: k.lastUsedAt, ephemeral: k.ephemeral, autoscale: k.autoscale, maxInstances: k.maxInstances,
    revokedAt: k.revokedAt, createdAt: k.createdAt,
  };
}
export type JoinKeyView = ReturnType<typeof presentJoinKey>;

export async function createJoinKey(db: Db, actor: Actor, memberId: string, input: JoinKeyCreate) {
  const key = newSecretToken('mpk');
  const expiresAt = new Date(Date.now() + input.expiresInHours * 3_600_000);
  const row = await db.transaction(async (tx) => {
    const [member] = await tx.select({ kind: members.kind, projectId: networks.projectId }).from(members)
      .innerJoin(networks, eq(networks.id, members.networkId)).where(eq(members.id, memberId));
    if (!member) throw notFound('Member');
    const procs = (await tx.select({ name: processes.name }).from(processes).where(eq(processes.memberId, memberId))).map((p) => p.name);
    if (input.process !== undefined && member.kind !== 'application') throw invalid('Only applications have processes: leave "process" out.', 'process');
    if (input.process !== undefined && !procs.includes(input.process)) {
      throw invalid(`This member has no process "${input.process}" (it has ${procs.join(', ') || 'none'}): scale one up first, or leave "process" out.`, 'process');
    }
    const [created] = await tx.insert(joinKeys).values({
      id: newId('joinKey'), memberId, keyHash: hashToken(key), process: member.kind === 'application' ? input.process ?? null : instanceProcess,
      expiresAt, maxUses: input.maxUses ?? null, ephemeral: input.ephemeral, autoscale: input.autoscale,
      maxInstances: input.maxInstances ?? null, createdBy: actor.userId,
    }).returning();
    await recordAudit(tx, actor, {
      projectId: member.projectId, action: 'join_key.create', resourceType: 'member', resourceId: memberId,
      details: {
        joinKeyId: created.id, process: created.process, expiresAt: expiresAt.toISOString(), maxUses: created.maxUses,
        ephemeral: created.ephemeral, autoscale: created.autoscale, maxInstances: created.maxInstances,
      },
    });
    return created;
  });
  return { ...presentJoinKey(row), key };
}

export async function listJoinKeys(db: Db, memberId: string) {
  const list = await db.select().from(joinKeys).where(eq(joinKeys.memberId, memberId)).orderBy(desc(joinKeys.createdAt));
  return { items: list.map(presentJoinKey) };
}

/** Revoked keys stay listed (with revokedAt) so their uses remain visible; they join no one. */
export async function revokeJoinKey(db: Db, actor: Actor, joinKeyId: string) {
  await db.transaction(async (tx) => {
    const [row] = await tx.select({ key: joinKeys, projectId: networks.projectId }).from(joinKeys)
      .innerJoin(members, eq(members.id, joinKeys.memberId)).innerJoin(networks, eq(networks.id, members.networkId))
      .where(eq(joinKeys.id, joinKeyId)).for('update', { of: joinKeys });
    if (!row) throw notFound('Join key');
    if (row.key.revokedAt) return;
    await tx.update(joinKeys).set({ revokedAt: new Date() }).where(and(eq(joinKeys.id, joinKeyId)));
    await recordAudit(tx, actor, {
      projectId: row.projectId, action: 'join_key.revoke', resourceType: 'member', resourceId: row.key.memberId,
      details: { joinKeyId, process: row.key.process, uses: row.key.uses },
    });
  });
}
