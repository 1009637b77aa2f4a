import type { NextApiRequest, NextApiResponse } from 'next';
import { auth } from './config';
import { getDb } from '../db/client';
import { SnapshotCache } from '../db/snapshot-cache';
import { findSessionUser } from './sessions';
import { principalOf, type Principal } from './gate';

/**
 * Open dashboards poll with their cookie; like a token, the session is not read again while
 * nothing changes. Ending a session deletes its row: a write, so the next request reads again.
 */
const liveSessions = new SnapshotCache<{ principal: Principal; expiresAt: number } | null>({ maxEntries: 5000, maxWeight: 5000, sharedReadingOnly: true });

/** The signed-in user of a pages/api request (the dashboard polling with its cookie); an ended session or a deleted account signs out. */
export async function apiSessionPrincipal(req: NextApiRequest, res: NextApiResponse): Promise<Principal | null> {
  const session = await auth(req, res);
  const id = session?.user?.id;
  const sid = session?.sessionId;
  if (!id || !sid) return null;
  const db = await getDb();
  const live = await liveSessions.get(db, `${sid} ${id}`, async () => {
    const found = await findSessionUser(db, sid, id);
    return found ? { principal: { ...principalOf(found.user), sessionId: sid }, expiresAt: found.expiresAt.getTime() } : null;
  });
  // A quiet database keeps the snapshot, and the entry, past the session's end: check the clock too.
  return live && live.expiresAt > Date.now() ? live.principal : null;
}
