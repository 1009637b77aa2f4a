import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { invitations, memberships, projects, users, type Invitation, type Role, type User } from '../db/schema';
import { newId } from '../../core/ids';
import { hashToken, newSecretToken, secretTokenPattern } from '../auth/secret-token';
import { roleRank } from '../../core/permissions';
import { AppError, conflict, forbidden, notFound } from '../errors';
import { recordAudit, type Actor } from '../audit/record';
import { accessChanged } from '../projects/access-hooks';
import { invitationGoneMessage } from '../../core/invitations';

/** How long a link stays valid. */
export const invitationTtlMs = 7 * 24 * 3600 * 1000;

/** The page an invitation link opens; the token is in the path and nowhere in our database. */
export const invitationPath = (token: string) => `/invitations/${token}`;

const pending = (now = new Date()) => and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now));

/**
 * Invites an email address with a role. An admin may invite up to admin (owners are made by
 * owners); a new invitation to the same address replaces the one still pending.
 */
export async function createInvitation(db: Db, actor: Actor, projectId: string, inviterRole: Role, email: string, role: Role) {
  if (roleRank[role] > roleRank[inviterRole]) throw forbidden('Only an owner can invite an owner.');
  return db.transaction(async (tx) => {
    const [member] = await tx.select({ userId: users.id }).from(memberships).innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.projectId, projectId), eq(users.email, email)));
    if (member) throw conflict(`${email} is already in this project's team.`, 'email', 'already_member');
    await tx.update(invitations).set({ revokedAt: new Date() })
      .where(and(eq(invitations.projectId, projectId), eq(invitations.email, email), pending()));
    const token = newSecretToken('inv');
    const [row] = await tx.insert(invitations).values({
      id: newId('invitation'), projectId, email, role, tokenHash: hashToken(token), invitedBy: actor.userId,
      expiresAt: new Date(Date.now() + invitationTtlMs),
    }).returning();
    await recordAudit(tx, actor, { projectId, action: 'invitation.create', resourceType: 'invitation', resourceId: row.id, details: { email, role } });
    return { id: row.id, email, role, expiresAt: row.expiresAt, path: invitationPath(token) };
  });
}

/** Pending invitations of a project; never a token (only its hash is kept). */
export async function listInvitations(db: Db, projectId: string) {
  return db.select({
    id: invitations.id, email: invitations.email, role: invitations.role, invitedBy: users.email,
    createdAt: invitations.createdAt, expiresAt: invitations.expiresAt,
  }).from(invitations).leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.projectId, projectId), pending())).orderBy(desc(invitations.createdAt));
}

export async function revokeInvitation(db: Db, actor: Actor, projectId: string, id: string) {
  await db.transaction(async (tx) => {
    const [row] = await tx.update(invitations).set({ revokedAt: new Date() })
      .where(and(eq(invitations.id, id), eq(invitations.projectId, projectId), pending())).returning();
    if (!row) throw notFound('Invitation');
    await recordAudit(tx, actor, { projectId, action: 'invitation.revoke', resourceType: 'invitation', resourceId: id, details: { email: row.email } });
  });
}

/** A new link for a pending invitation (the old one stops working): the way to copy it again. */
export async function renewInvitation(db: Db, actor: Actor, projectId: string, id: string) {
  return db.transaction(async (tx) => {
    const token = newSecretToken('inv');
    const [row] = await tx.update(invitations).set({ tokenHash: hashToken(token), expiresAt: new Date(Date.now() + invitationTtlMs) })
      .where(and(eq(invitations.id, id), eq(invitations.projectId, projectId), pending())).returning();
    if (!row) throw notFound('Invitation');
    await recordAudit(tx, actor, { projectId, action: 'invitation.renew', resourceType: 'invitation', resourceId: id, details: { email: row.email } });
    return { id, email: row.email, role: row.role, expiresAt: row.expiresAt, path: invitationPath(token) };
  });
}

export type InvitationView = {
  id: string; email: string; role: Role; projectId: string; projectName: string; invitedBy: string | null; expiresAt: Date;
  /** An account already uses the invited email: the invitee signs in rather than signs up. */
  accountExists: boolean;
};

const gone = () => new AppError(404, 'invitation_invalid', invitationGoneMessage);

/** What the invitation page shows, for a pending invitation only. */
export async function viewInvitation(db: Db, token: string): Promise<InvitationView> {
  if (!secretTokenPattern.test(token) || !token.startsWith('inv_')) throw gone();
  const [row] = await db.select({
    id: invitations.id, email: invitations.email, role: invitations.role, projectId: invitations.projectId, projectName: projects.name,
    invitedBy: users.email, expiresAt: invitations.expiresAt,
    accountExists: sql<boolean>`exists (select 1 from ${users} u where u.email = ${invitations.email})`,
  }).from(invitations).innerJoin(projects, eq(projects.id, invitations.projectId)).leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.tokenHash, hashToken(token)), pending()));
  if (!row) throw gone();
  return row;
}

/** The pending invitation behind a token, locked for this transaction: one use, even under a race. */
async function lockPending(tx: Tx, token: string): Promise<Invitation> {
  if (!secretTokenPattern.test(token) || !token.startsWith('inv_')) throw gone();
  const [row] = await tx.select().from(invitations).where(and(eq(invitations.tokenHash, hashToken(token)), pending())).for('update');
  if (!row) throw gone();
  return row;
}

async function join(tx: Tx, invitation: Invitation, user: User, ip: string | null) {
  await tx.insert(memberships).values({ projectId: invitation.projectId, userId: user.id, role: invitation.role }).onConflictDoNothing();
  await tx.update(invitations).set({ acceptedAt: new Date(), acceptedBy: user.id }).where(eq(invitations.id, invitation.id));
  const actor: Actor = { userId: user.id, email: user.email, ip };
  await recordAudit(tx, actor, {
    projectId: invitation.projectId, action: 'invitation.accept', resourceType: 'invitation', resourceId: invitation.id,
    details: { email: user.email, role: invitation.role },
  });
  await accessChanged(tx, invitation.projectId, user.id);
}

/** The signed-in user accepts: only the account with the invited email may. Someone already in the team keeps their role. */
export async function acceptInvitation(db: Db, token: string, user: User, ip: string | null): Promise<{ projectId: string }> {
  return db.transaction(async (tx) => {
    const invitation = await lockPending(tx, token);
    if (invitation.email !== user.email) throw forbidden(`This invitation is for ${invitation.email}; you are signed in as ${user.email}.`);
    await join(tx, invitation, user, ip);
    return { projectId: invitation.projectId };
  });
}

/**
 * The invitee has no account yet: one is made with the invited email (under any sign-up
 * policy: the invitation is the permission), and joins the project in the same transaction.
 */
export async function acceptAsNewUser(
  db: Db, token: string, make: (tx: Tx, email: string) => Promise<User>, ip: string | null,
): Promise<{ projectId: string; email: string }> {
  return db.transaction(async (tx) => {
    const invitation = await lockPending(tx, token);
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, invitation.email));
    if (existing) throw conflict('An account with this email already exists: sign in to accept.', 'password', 'email_taken');
    const user = await make(tx, invitation.email);
    await join(tx, invitation, user, ip);
    return { projectId: invitation.projectId, email: invitation.email };
  });
}
