import { randomBytes } from 'node:crypto';
import { and, eq, gt, lt, ne } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client';
import { SnapshotCache } from '../db/snapshot-cache';
import type { Principal } from './gate';
import { sessions, users, type User } from '../db/schema';

/** The cookie's lifetime and the row's: a session ends 7 days after sign-in at the latest. */
export const sessionMaxAgeSeconds = 7 * 24 * 3600;

/** A row for a new sign-in; its id goes into the (encrypted) session cookie. */
export async function createSession(db: Queryable, userId: string): Promise<string> {
  const id = randomBytes(24).toString('base64url');
  // The user's expired rows go as a new one comes: the table keeps live sessions only.
  await db.delete(sessions).where(and(eq(sessions.userId, userId), lt(sessions.expiresAt, new Date())));
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

/**
 * Open dashboards poll the API with their cookie; like a token, a session is not read again
 * while nothing changes (under an API GET's shared snapshot reading, lib/server/db/snapshot-cache.ts).
 * Ending a session deletes its row: a write, so the next request reads it again.
 */
const liveSessions = new SnapshotCache<{ principal: Principal; expiresAt: number } | null>({ maxEntries: 5000, maxWeight: 5000, sharedReadingOnly: true });

export async function livePrincipal(db: Db, sessionId: string, userId: string): Promise<Principal | null> {
  const live = await liveSessions.get(db, `${sessionId} ${userId}`, async () => {
    const found = await findSessionUser(db, sessionId, userId);
    return found ? { principal: { userId: found.user.id, email: found.user.email, sessionId }, expiresAt: found.expiresAt.getTime() } : null;
  });
  // A quiet database keeps its snapshot, and so the entry, past the session's end: the clock decides that.
  return live && live.expiresAt > Date.now() ? live.principal : null;
}
