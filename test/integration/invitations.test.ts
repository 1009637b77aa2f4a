/**
 * Issue 11, point 6: owners and admins invite an email address with a role; the link is
 * one-time, expires, can be revoked, is stored only as a hash, and lands the invitee in the
 * project with that role, as a new account or an existing one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import type { Principal } from '@/lib/server/auth/gate';
import { auditLog, invitations, memberships } from '@/lib/server/db/schema';
import { createProjectOp, addTeamMemberOp, listTeamOp } from '@/lib/server/projects/operations';
import {
  acceptInvitationOp, createInvitationOp, listInvitationsOp, renewInvitationOp, revokeInvitationOp,
} from '@/lib/server/invitations/operations';
import { acceptAsNewUser, viewInvitation } from '@/lib/server/invitations/invitations';
import { hashToken } from '@/lib/server/auth/secret-token';
import { createUser } from '@/lib/server/users/users';
import { useTestDb } from './db';
import { expectAppError, makeUser, principalOf, testPassword, uniqueEmail } from './factories';

const tokenOf = (path: string) => path.split('/').pop()!;

describe('invitations', () => {
  const t = useTestDb();
  const who = {} as Record<'owner' | 'admin' | 'developer' | 'viewer', Principal>;
  let projectId: string;

  beforeAll(async () => {
    who.owner = principalOf(await makeUser(t.db));
    projectId = (await createProjectOp.execute(who.owner, { name: 'invites' })).id;
    for (const role of ['admin', 'developer', 'viewer'] as const) {
      const user = await makeUser(t.db);
      await addTeamMemberOp.execute(who.owner, { projectId, email: user.email, role });
      who[role] = principalOf(user);
    }
  });

  const invite = (by: Principal, email: string, role = 'developer') => createInvitationOp.execute(by, { projectId, email, role }, { ip: '192.0.2.1' });
  const newAccount = (token: string, password = testPassword) =>
    acceptAsNewUser(t.db, token, (tx, email) => createUser(tx, { email, password, name: 'Newcomer' }), '192.0.2.2');

  it('lets owners and admins invite, and refuses developers and viewers', async () => {
    for (const role of ['developer', 'viewer'] as const) {
      expect((await expectAppError(invite(who[role], uniqueEmail()))).status).toBe(403);
      expect((await expectAppError(listInvitationsOp.execute(who[role], { projectId }))).status).toBe(403);
    }
    const byAdmin = await invite(who.admin, uniqueEmail('by-admin'), 'admin');
    expect(byAdmin.path).toMatch(/^\/invitations\/inv_[A-Za-z0-9_-]{43}$/);
    // An admin cannot make an owner; an owner can.
    expect((await expectAppError(invite(who.admin, uniqueEmail(), 'owner'))).status).toBe(403);
    expect((await invite(who.owner, uniqueEmail(), 'owner')).role).toBe('owner');
  });

  it('stores only the hash, lists without the token, and audits', async () => {
    const email = uniqueEmail('listed');
    const created = await invite(who.owner, email);
    const [row] = await t.db.select().from(invitations).where(eq(invitations.id, created.id));
    expect(row.tokenHash).toBe(hashToken(tokenOf(created.path)));
    expect(JSON.stringify(row)).not.toContain(tokenOf(created.path));
    const listed = await listInvitationsOp.execute(who.admin, { projectId });
    const item = listed.find((i) => i.id === created.id)!;
    expect(item).toMatchObject({ email, role: 'developer', invitedBy: who.owner.email });
    expect(Object.keys(item).sort()).toEqual(['createdAt', 'email', 'expiresAt', 'id', 'invitedBy', 'role']);
    expect(item.expiresAt.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    const audit = await t.db.select().from(auditLog).where(and(eq(auditLog.resourceId, created.id), eq(auditLog.action, 'invitation.create')));
    expect(audit[0]).toMatchObject({ projectId, actorEmail: who.owner.email, details: { email, role: 'developer' } });
    expect(JSON.stringify(audit)).not.toContain(tokenOf(created.path));
  });

  it('a new account joins with the invited role, once', async () => {
    const email = uniqueEmail('newcomer');
    const { path } = await invite(who.owner, email, 'viewer');
    expect((await viewInvitation(t.db, tokenOf(path))).accountExists).toBe(false);
    const joined = await newAccount(tokenOf(path));
    expect(joined).toEqual({ projectId, email });
    const team = await listTeamOp.execute(who.owner, { projectId });
    expect(team.find((m) => m.email === email)?.role).toBe('viewer');
    // One use: the same link is refused, and it is no longer listed.
    expect((await expectAppError(newAccount(tokenOf(path)))).code).toBe('invitation_invalid');
    expect((await expectAppError(viewInvitation(t.db, tokenOf(path)))).code).toBe('invitation_invalid');
    expect((await listInvitationsOp.execute(who.owner, { projectId })).map((i) => i.email)).not.toContain(email);
  });

  it('an existing account accepts when signed in with the invited email, and no one else can', async () => {
    const existing = await makeUser(t.db);
    const { path } = await invite(who.admin, existing.email, 'developer');
    expect((await viewInvitation(t.db, tokenOf(path))).accountExists).toBe(true);
    expect((await expectAppError(newAccount(tokenOf(path)))).code).toBe('email_taken');
    const stranger = principalOf(await makeUser(t.db));
    expect((await expectAppError(acceptInvitationOp.execute(stranger, { token: tokenOf(path) }))).status).toBe(403);
    expect(await acceptInvitationOp.execute(principalOf(existing), { token: tokenOf(path) })).toEqual({ projectId });
    const [m] = await t.db.select().from(memberships).where(and(eq(memberships.projectId, projectId), eq(memberships.userId, existing.id)));
    expect(m.role).toBe('developer');
    expect((await expectAppError(acceptInvitationOp.execute(principalOf(existing), { token: tokenOf(path) }))).code).toBe('invitation_invalid');
  });

  it('refuses a revoked, an expired, a replaced and a made-up link', async () => {
    const revoked = await invite(who.owner, uniqueEmail());
    expect((await expectAppError(revokeInvitationOp.execute(who.developer, { invitationId: revoked.id }))).status).toBe(403);
    await revokeInvitationOp.execute(who.admin, { invitationId: revoked.id });
    expect((await expectAppError(newAccount(tokenOf(revoked.path)))).code).toBe('invitation_invalid');
    expect((await expectAppError(revokeInvitationOp.execute(who.admin, { invitationId: revoked.id }))).status).toBe(404);

    const expired = await invite(who.owner, uniqueEmail());
    await t.db.update(invitations).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(invitations.id, expired.id));
    expect((await expectAppError(newAccount(tokenOf(expired.path)))).code).toBe('invitation_invalid');

    const email = uniqueEmail('twice');
    const first = await invite(who.owner, email);
    const second = await invite(who.owner, email);
    expect((await expectAppError(newAccount(tokenOf(first.path)))).code).toBe('invitation_invalid');
    const renewed = await renewInvitationOp.execute(who.admin, { invitationId: second.id });
    expect((await expectAppError(newAccount(tokenOf(second.path)))).code).toBe('invitation_invalid');
    expect((await newAccount(tokenOf(renewed.path))).email).toBe(email);

    expect((await expectAppError(newAccount('inv_' + 'A'.repeat(43)))).code).toBe('invitation_invalid');
    expect((await expectAppError(newAccount('not a token'))).code).toBe('invitation_invalid');
  });

  it('refuses to invite someone already in the team', async () => {
    const error = await expectAppError(invite(who.owner, who.viewer.email));
    expect([error.status, error.code, error.field]).toEqual([409, 'already_member', 'email']);
  });

  it('lets two racing uses of one link make one account', async () => {
    const { path } = await invite(who.owner, uniqueEmail('race'));
    const results = await Promise.allSettled([newAccount(tokenOf(path)), newAccount(tokenOf(path))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});
