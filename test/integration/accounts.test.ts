/**
 * Issue 11, points 4 and 6: sessions live in the database, so that sign-out, "sign out
 * everywhere", a password change and the CLI's set-password end them at once; and
 * MESHPLANE_SIGNUP decides who may make an account from the sign-up page.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { auditLog, sessions, users, type User } from '@/lib/server/db/schema';
import { openDatabase } from '@/lib/server/db/client';
import { createScratchDatabase } from '../scratch-database';
import { createSession, endSession, findSessionUser } from '@/lib/server/auth/sessions';
import { changePasswordOp, endAllSessionsOp } from '@/lib/server/users/operations';
import { oidcAccount, signUp, signUpState } from '@/lib/server/users/sign-up';
import { checkCredentials } from '@/lib/server/users/users';
import { parseEnv } from '@/lib/server/env';
import { useTestDb } from './db';
import { expectAppError, makeUser, principalOf, testPassword, uniqueEmail } from './factories';

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);

describe('sessions', () => {
  const t = useTestDb();
  const live = (user: User, sid: string) => findSessionUser(t.db, sid, user.id).then((s) => s?.user.id ?? null);

  it('a session is live until it is ended, and only for its own user', async () => {
    const user = await makeUser(t.db);
    const other = await makeUser(t.db);
    const sid = await createSession(t.db, user.id);
    expect(await live(user, sid)).toBe(user.id);
    expect(await findSessionUser(t.db, sid, other.id)).toBeUndefined();
    await endSession(t.db, sid);
    expect(await live(user, sid)).toBeNull();
  });

  it('an expired session is not live', async () => {
    const user = await makeUser(t.db);
    const sid = await createSession(t.db, user.id);
    await t.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, sid));
    expect(await live(user, sid)).toBeNull();
  });

  it('"sign out everywhere" ends every session of the caller and nobody else\'s', async () => {
    const user = await makeUser(t.db);
    const bystander = await makeUser(t.db);
    const [a, b] = [await createSession(t.db, user.id), await createSession(t.db, user.id)];
    const theirs = await createSession(t.db, bystander.id);
    expect(await endAllSessionsOp.execute({ ...principalOf(user), sessionId: b }, {})).toEqual({ sessionsEnded: 2 });
    expect([await live(user, a), await live(user, b)]).toEqual([null, null]);
    expect(await live(bystander, theirs)).toBe(bystander.id);
    const [entry] = await t.db.select().from(auditLog).where(sql`${auditLog.actorUserId} = ${user.id} and ${auditLog.action} = 'user.sign_out_everywhere'`);
    expect(entry.details).toEqual({ sessionsEnded: 2 });
  });

  it('a password change needs the current password, ends the other sessions and keeps this one', async () => {
    const user = await makeUser(t.db);
    const [mine, other] = [await createSession(t.db, user.id), await createSession(t.db, user.id)];
    const me = { ...principalOf(user), sessionId: mine };
    const wrong = await expectAppError(changePasswordOp.execute(me, { currentPassword: 'not it', newPassword: 'a brand new secret' }, { ip: '192.0.2.7' }));
    expect([wrong.status, wrong.field]).toEqual([400, 'currentPassword']);
    const short = await expectAppError(changePasswordOp.execute(me, { currentPassword: testPassword, newPassword: 'short' }));
    expect(short.field).toBe('newPassword');
    expect(await live(user, other)).toBe(user.id); // refusals change nothing

    expect(await changePasswordOp.execute(me, { currentPassword: testPassword, newPassword: 'a brand new secret' }, { ip: '192.0.2.7' }))
      .toEqual({ sessionsEnded: 1 });
    expect(await live(user, mine)).toBe(user.id);
    expect(await live(user, other)).toBeNull();
    expect(await checkCredentials(t.db, user.email, testPassword)).toBeUndefined();
    expect((await checkCredentials(t.db, user.email, 'a brand new secret'))?.id).toBe(user.id);
  });

  it('the CLI sets a password read from stdin (never argv) and ends every session of that user', async () => {
    const user = await makeUser(t.db);
    const sid = await createSession(t.db, user.id);
    const env = { ...process.env, DATABASE_URL: inject('testDatabaseUrl') };
    const tsx = path.join(root, 'node_modules/.bin/tsx');
    const refused = await run(tsx, ['scripts/cli.ts', 'user', 'set-password', '--email', user.email, '--password', 'on the command line'], { cwd: root, env })
      .then(() => null, (e) => e as { code: number; stderr: string });
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/never from the command line/);

    const child = execFile(tsx, ['scripts/cli.ts', 'user', 'set-password', '--email', user.email.toUpperCase()], { cwd: root, env });
    let stderr = '';
    child.stderr?.on('data', (d) => { stderr += d; });
    child.stdin?.end('recovered passphrase\n');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/1 session ended/);
    expect(await live(user, sid)).toBeNull();
    expect((await checkCredentials(t.db, user.email, 'recovered passphrase'))?.id).toBe(user.id);
  }, 60_000);
});

describe('MESHPLANE_SIGNUP', () => {
  const t = useTestDb();
  const input = () => ({ email: uniqueEmail('signup'), password: testPassword, name: '' });

  it('is checked at start: first by default, open or closed, nothing else', () => {
    expect(parseEnv({ AUTH_SECRET: 'x'.repeat(32), MESHPLANE_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') }).MESHPLANE_SIGNUP).toBe('first');
    expect(() => parseEnv({ MESHPLANE_SIGNUP: 'sometimes' })).toThrow(/MESHPLANE_SIGNUP: must be first, open or closed/);
  });

  it('open lets anyone sign up; closed lets no one, and says so', async () => {
    expect((await signUp(t.db, 'open', input())).email).toMatch(/^signup-/);
    expect(await signUpState(t.db, 'open')).toEqual({ open: true });
    const closed = await expectAppError(signUp(t.db, 'closed', input()));
    expect([closed.status, closed.code]).toEqual([403, 'signup_closed']);
    expect(await signUpState(t.db, 'closed')).toMatchObject({ open: false, message: expect.stringMatching(/Sign-up is closed/) });
  });

  it('first lets only the first account sign up, even when two race for it', async () => {
    // A database of its own, with no users yet.
    const scratch = await createScratchDatabase(new URL('/postgres', inject('testDatabaseUrl')).toString(), 'meshplane_test_');
    const handle = await openDatabase(scratch.url);
    try {
      expect(await signUpState(handle.db, 'first')).toEqual({ open: true });
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => signUp(handle.db, 'first', input())));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 403, code: 'signup_closed' });
      expect(await signUpState(handle.db, 'first')).toMatchObject({ open: false, message: expect.stringMatching(/closed: this server already has its first account/) });
    } finally {
      await handle.close();
      await scratch.drop();
    }
  }, 60_000);
});

describe('single sign-on (OIDC) follows MESHPLANE_SIGNUP and never takes an account by an unverified email', () => {
  const t = useTestDb();
  const claims = (email: string, emailVerified: boolean) => ({ subject: `sub-${email}`, email, emailVerified, name: '' });

  it('a new person gets an account only where sign-up would give one', async () => {
    expect(await oidcAccount(t.db, 'closed', claims(uniqueEmail('oidc'), true))).toBeNull();
    expect(await oidcAccount(t.db, 'first', claims(uniqueEmail('oidc'), true))).toBeNull(); // the shared test database has users
    const open = await oidcAccount(t.db, 'open', claims(uniqueEmail('oidc'), true));
    expect(open?.oidcSubject).toMatch(/^sub-oidc-/);
    // Once linked, the subject signs in whatever the policy says now.
    expect((await oidcAccount(t.db, 'closed', claims(open!.email, false)))?.id).toBe(open!.id);
  });

  it('links an existing account by email only when the provider verified the address', async () => {
    const owner = await makeUser(t.db);
    expect(await oidcAccount(t.db, 'open', claims(owner.email, false))).toBeNull();
    expect((await t.db.select().from(users).where(eq(users.id, owner.id)))[0].oidcSubject).toBeNull();
    expect((await oidcAccount(t.db, 'closed', claims(owner.email, true)))?.id).toBe(owner.id);
  });

  it('first: the first account on an empty server may come from single sign-on, and only one', async () => {
    const scratch = await createScratchDatabase(new URL('/postgres', inject('testDatabaseUrl')).toString(), 'meshplane_test_');
    const handle = await openDatabase(scratch.url);
    try {
      const results = await Promise.all(Array.from({ length: 4 }, () => oidcAccount(handle.db, 'first', claims(uniqueEmail('oidc'), true))));
      expect(results.filter((u) => u !== null)).toHaveLength(1);
    } finally {
      await handle.close();
      await scratch.drop();
    }
  }, 60_000);
});
