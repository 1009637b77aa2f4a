import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog, projects } from '@/lib/server/db/schema';
import {
  addTeamMemberOp, changeRoleOp, createProjectOp, deleteProjectOp, listProjectsOp, listTeamOp, removeTeamMemberOp, renameProjectOp,
} from '@/lib/server/projects/operations';
import { createApiToken, principalFromToken, revokeApiToken, listApiTokens } from '@/lib/server/tokens/api-tokens';
import { checkCredentials, createUser } from '@/lib/server/users/users';
import { useTestDb } from './db';
import { expectAppError, makeUser, principalOf, testPassword, uniqueEmail } from './factories';


describe('projects and teams', () => {
  const t = useTestDb();

  it('creates, lists, renames and deletes a project; the creator is its owner', async () => {
    const owner = principalOf(await makeUser(t.db));
    const project = await createProjectOp.execute(owner, { name: '  Acme  ' });
    expect(project).toMatchObject({ name: 'Acme', role: 'owner' });
    expect(project.id).toMatch(/^pj-[0-9a-z]{12}$/);
    expect((await listProjectsOp.execute(owner, {})).map((p) => p.id)).toContain(project.id);
    await renameProjectOp.execute(owner, { projectId: project.id, name: 'Acme prod' });
    await deleteProjectOp.execute(owner, { projectId: project.id });
    expect(await t.db.select().from(projects).where(eq(projects.id, project.id))).toHaveLength(0);
    const log = await t.db.select().from(auditLog).where(eq(auditLog.projectId, project.id));
    expect(log.map((l) => l.action).sort()).toEqual(['project.create', 'project.delete', 'project.rename']);
  });

  it('refuses empty and over-long names without changing anything', async () => {
    const owner = principalOf(await makeUser(t.db));
    expect((await expectAppError(createProjectOp.execute(owner, { name: '   ' }))).field).toBe('name');
    expect((await expectAppError(createProjectOp.execute(owner, { name: 'x'.repeat(101) }))).status).toBe(400);
    expect(await listProjectsOp.execute(owner, {})).toHaveLength(0);
  });

  it('adds existing users with a role, refuses unknown users, duplicates and made-up roles', async () => {
    const owner = principalOf(await makeUser(t.db));
    const dev = await makeUser(t.db);
    const { id: projectId } = await createProjectOp.execute(owner, { name: 'team' });
    await addTeamMemberOp.execute(owner, { projectId, email: dev.email.toUpperCase(), role: 'developer' });
    expect((await expectAppError(addTeamMemberOp.execute(owner, { projectId, email: dev.email, role: 'viewer' }))).status).toBe(409);
    const unknown = await expectAppError(addTeamMemberOp.execute(owner, { projectId, email: uniqueEmail(), role: 'viewer' }));
    expect([unknown.status, unknown.field]).toEqual([404, 'email']);
    expect((await expectAppError(addTeamMemberOp.execute(owner, { projectId, email: dev.email, role: 'root' }))).field).toBe('role');
    const team = await listTeamOp.execute(owner, { projectId });
    expect(team.map((m) => [m.email, m.role])).toEqual([[owner.email, 'owner'], [dev.email, 'developer']]);
  });

  it('never demotes or removes the last owner, even two requests at once', async () => {
    const owner = principalOf(await makeUser(t.db));
    const second = await makeUser(t.db);
    const { id: projectId } = await createProjectOp.execute(owner, { name: 'owners' });
    expect((await expectAppError(changeRoleOp.execute(owner, { projectId, userId: owner.userId, role: 'admin' }))).code).toBe('last_owner');
    expect((await expectAppError(removeTeamMemberOp.execute(owner, { projectId, userId: owner.userId }))).code).toBe('last_owner');
    await addTeamMemberOp.execute(owner, { projectId, email: second.email, role: 'owner' });
    const results = await Promise.allSettled([
      changeRoleOp.execute(owner, { projectId, userId: owner.userId, role: 'viewer' }),
      changeRoleOp.execute(principalOf(second), { projectId, userId: second.id, role: 'viewer' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const team = await listTeamOp.execute(principalOf(second), { projectId });
    expect(team.filter((m) => m.role === 'owner')).toHaveLength(1);
  });
});

describe('accounts and API tokens', () => {
  const t = useTestDb();

  it('refuses a duplicate email at sign-up, whatever its case', async () => {
    const email = uniqueEmail();
    await createUser(t.db, { email, password: testPassword });
    await expect(createUser(t.db, { email: email.toUpperCase(), password: testPassword })).rejects.toMatchObject({ status: 409, field: 'email' });
  });

  it('gives the same answer for an unknown email and a wrong password', async () => {
    const user = await makeUser(t.db);
    expect(await checkCredentials(t.db, user.email, testPassword)).toMatchObject({ id: user.id });
    expect(await checkCredentials(t.db, user.email, 'wrong password')).toBeUndefined();
    expect(await checkCredentials(t.db, uniqueEmail(), testPassword)).toBeUndefined();
    expect(user.passwordHash).toMatch(/^scrypt\$/);
    expect(user.passwordHash).not.toContain(testPassword);
  });

  it('derives distinct handles from the email local part', async () => {
    const a = await createUser(t.db, { email: `Jo.Smith+x@${uniqueEmail().split('@')[0]}.test`, password: testPassword });
    const b = await createUser(t.db, { email: `jo-smith-x@${uniqueEmail().split('@')[0]}.test`, password: testPassword });
    expect(a.handle).toBe('jo-smith-x');
    expect(b.handle).toBe('jo-smith-x-2');
  });

  it('stores tokens as hashes; a revoked, unknown or malformed token is no one', async () => {
    const user = await makeUser(t.db);
    const created = await createApiToken(t.db, user.id, 'ci');
    expect(JSON.stringify(await listApiTokens(t.db, user.id))).not.toContain(created.token);
    expect(await principalFromToken(t.db, created.token)).toEqual({ userId: user.id, email: user.email });
    expect(await principalFromToken(t.db, created.token.slice(0, -1) + (created.token.endsWith('A') ? 'B' : 'A'))).toBeNull();
    expect(await principalFromToken(t.db, 'not a token')).toBeNull();
    await revokeApiToken(t.db, user.id, created.id);
    expect(await principalFromToken(t.db, created.token)).toBeNull();
  });
});
