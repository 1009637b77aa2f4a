import type { NextApiRequest, NextApiResponse } from 'next';
import { auth } from './config';
import { getDb } from '../db/client';
import { SnapshotCache } from '../db/snapshot-cache';
import { findUserById } from '../users/users';
import { principalOf, type Principal } from './gate';

/** Open dashboards poll with their cookie; like a token, the account is not read again while nothing changes. */
const sessionUsers = new SnapshotCache<Principal | null>({ maxEntries: 5000, maxWeight: 5000, sharedReadingOnly: true });

/** The signed-in user of a pages/api request (the dashboard polling with its cookie); a deleted account signs out. */
export async function apiSessionPrincipal(req: NextApiRequest, res: NextApiResponse): Promise<Principal | null> {
  const id = (await auth(req, res))?.user?.id;
  if (!id) return null;
  const db = await getDb();
  return sessionUsers.get(db, id, async () => {
    const user = await findUserById(db, id);
    return user ? principalOf(user) : null;
  });
}
