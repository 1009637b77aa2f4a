import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users } from '../db/schema';
import { hashPassword } from '../auth/password';
import { endSessionsOf } from '../auth/sessions';
import { attemptSignIn, waitMessage } from '../auth/sign-in';
import { clearSignInAttempts } from '../auth/rate-limit';
import { recordAudit, type Actor } from '../audit/record';
import { AppError, invalid, notFound, tooManyRequests } from '../errors';
import { findUserByEmail, passwordSchema } from './users';

/**
 * A new password for the signed-in user: the current one is checked (under the sign-in
 * limits, so a stolen session cannot try passwords faster), and every other session ends.
 */
export async function changePassword(db: Db, actor: Actor, keepSession: string | null, current: string, next: string) {
  const outcome = await attemptSignIn(db, { email: actor.email, password: current, ip: actor.ip });
  if (!outcome.ok) {
    if (outcome.reason === 'rate_limited') throw tooManyRequests(waitMessage(outcome.retryAfterSeconds));
    throw invalid('The current password is not right.', 'currentPassword');
  }
  if (current === next) throw invalid('Choose a password different from the current one.', 'newPassword');
  const passwordHash = await hashPassword(next);
  return db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, actor.userId));
    const ended = await endSessionsOf(tx, actor.userId, keepSession);
    await recordAudit(tx, actor, { projectId: null, action: 'user.password', resourceType: 'user', resourceId: actor.userId, details: { sessionsEnded: ended } });
    return { sessionsEnded: ended };
  });
}

/** "Sign out everywhere": every session of the user ends, this one too. */
export async function endAllSessions(db: Db, actor: Actor) {
  return db.transaction(async (tx) => {
    const ended = await endSessionsOf(tx, actor.userId);
    await recordAudit(tx, actor, { projectId: null, action: 'user.sign_out_everywhere', resourceType: 'user', resourceId: actor.userId, details: { sessionsEnded: ended } });
    return { sessionsEnded: ended };
  });
}

/** For an administrator who lost access (CLI): a new password, every session ended, the sign-in counts cleared. */
export async function setPasswordByEmail(db: Db, email: string, password: string) {
  const user = await findUserByEmail(db, email);
  if (!user) throw new AppError(404, 'user_not_found', `no user with email ${email}`);
  const parsed = passwordSchema.safeParse(password);
  if (!parsed.success) throw invalid(parsed.error.issues[0].message, 'password');
  const passwordHash = await hashPassword(parsed.data);
  const ended = await db.transaction(async (tx) => {
    const [row] = await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id)).returning({ id: users.id });
    if (!row) throw notFound('User');
    const n = await endSessionsOf(tx, user.id);
    await recordAudit(tx, { userId: user.id, email: user.email, ip: null }, {
      projectId: null, action: 'user.password', resourceType: 'user', resourceId: user.id, details: { by: 'cli', sessionsEnded: n },
    });
    return n;
  });
  await clearSignInAttempts(db, user.email);
  return { user, sessionsEnded: ended };
}
