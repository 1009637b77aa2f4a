import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../db/client';
import { memberships, projects, roles, users, type Role } from '../db/schema';
import { AppError, conflict, notFound, pgErrorCode } from '../errors';
import { recordAudit, type Actor } from '../audit/record';
import { emailSchema } from '../users/users';
import { accessChanged } from './access-hooks';
import { lastOwnerMessage } from '../../core/permissions';

export const roleSchema = z.enum(roles, { error: 'Choose owner, admin, developer or viewer.' });
export const addTeamMemberSchema = z.object({ email: emailSchema, role: roleSchema });

export async function listTeam(db: Db, projectId: string) {
  return db.select({ userId: users.id, email: users.email, name: users.name, handle: users.handle, role: memberships.role, addedAt: memberships.createdAt })
    .from(memberships).innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.projectId, projectId))
    .orderBy(sql`case ${memberships.role} when 'owner' then 0 when 'admin' then 1 when 'developer' then 2 else 3 end`, asc(users.email));
}

export async function addTeamMember(db: Db, actor: Actor, projectId: string, email: string, role: Role) {
  return db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.email, email));
    if (!user) throw new AppError(404, 'user_not_found', 'No Meshplane account uses this email. Ask them to sign up first.', 'email');
    try {
      await tx.insert(memberships).values({ projectId, userId: user.id, role });
    } catch (e) {
      if (pgErrorCode(e) === '23505') throw conflict(`${email} is already in this project's team.`, 'email', 'already_member');
      throw e;
    }
    await recordAudit(tx, actor, { projectId, action: 'team.add', resourceType: 'user', resourceId: user.id, details: { email, role } });
    await accessChanged(tx, projectId, user.id);
    return { userId: user.id, email: user.email, role };
  });
}

/** Serializes team changes per project, so two demotions cannot both pass the last-owner check. */
async function lockProject(tx: Tx, projectId: string) {
  await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId)).for('update');
}

async function ownerCount(tx: Tx, projectId: string) {
  const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(memberships)
    .where(and(eq(memberships.projectId, projectId), eq(memberships.role, 'owner')));
  return Number(row.n);
}

async function currentRole(tx: Tx, projectId: string, userId: string): Promise<Role> {
  const [row] = await tx.select({ role: memberships.role }).from(memberships)
    .where(and(eq(memberships.projectId, projectId), eq(memberships.userId, userId)));
  if (!row) throw notFound('Team member');
  return row.role;
}

export async function changeRole(db: Db, actor: Actor, projectId: string, userId: string, role: Role) {
  return db.transaction(async (tx) => {
    await lockProject(tx, projectId);
    const before = await currentRole(tx, projectId, userId);
    if (before === 'owner' && role !== 'owner' && (await ownerCount(tx, projectId)) <= 1) {
      throw conflict(lastOwnerMessage, 'role', 'last_owner');
    }
    const [row] = await tx.update(memberships).set({ role })
      .where(and(eq(memberships.projectId, projectId), eq(memberships.userId, userId))).returning();
    await recordAudit(tx, actor, { projectId, action: 'team.role', resourceType: 'user', resourceId: userId, details: { from: before, to: role } });
    await accessChanged(tx, projectId, userId);
    return { userId, role: row.role };
  });
}

export async function removeTeamMember(db: Db, actor: Actor, projectId: string, userId: string) {
  await db.transaction(async (tx) => {
    await lockProject(tx, projectId);
    const before = await currentRole(tx, projectId, userId);
    if (before === 'owner' && (await ownerCount(tx, projectId)) <= 1) {
      throw conflict(lastOwnerMessage, 'userId', 'last_owner');
    }
    await tx.delete(memberships).where(and(eq(memberships.projectId, projectId), eq(memberships.userId, userId)));
    await recordAudit(tx, actor, { projectId, action: 'team.remove', resourceType: 'user', resourceId: userId, details: { role: before } });
    await accessChanged(tx, projectId, userId);
  });
}
