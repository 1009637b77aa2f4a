import { randomBytes } from 'node:crypto';
import { and, eq, gt, ne } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { sessions, users, type User } from '../db/schema';

/** The cookie's lifetime and the row's: a session ends 7 days after sign-in at the latest. */
export const sessionMaxAgeSeconds = 7 * 24 * 3600;

/** A row for a new sign-in; its id goes into the (encrypted) session cookie. */
export async function createSession(db: Queryable, userId: string): Promise<string> {
  const id = randomBytes(24).toString('base64url');
  await db.insert(sessions).values({ id, userId, expiresAt: new Date(Date.now() + sessionMaxAgeSeconds * 1000) });
  return id;
}

export type SessionUser = { user: User; expiresAt: Date };

/** The user of a live session, in one indexed query; undefined once it was ended or the account deleted. */
export async function findSessionUser(db: Queryable, sessionId: string, userId: string): Promise<SessionUser | undefined> {
  const [row] = await db.select({ user: users, expiresAt: sessions.expiresAt }).from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), gt(sessions.expiresAt, new Date())));
  return row;
}

export async function endSession(db: Queryable, sessionId: string) {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every session of the user but `keep` (the caller's own, after a password change). */
export async function endSessionsOf(db: Queryable, userId: string, keep?: string | null): Promise<number> {
  const ended = await db.delete(sessions)
    .where(keep ? and(eq(sessions.userId, userId), ne(sessions.id, keep)) : eq(sessions.userId, userId))
    .returning({ id: sessions.id });
  return ended.length;
}
