import type { NextApiRequest, NextApiResponse } from 'next';
import { auth } from './config';
import { getDb } from '../db/client';
import { livePrincipal } from './sessions';
import type { Principal } from './gate';

/** The signed-in user of a pages/api request (the dashboard polling with its cookie); an ended session or a deleted account signs out. */
export async function apiSessionPrincipal(req: NextApiRequest, res: NextApiResponse): Promise<Principal | null> {
  const session = await auth(req, res);
  const id = session?.user?.id;
  const sid = session?.sessionId;
  return id && sid ? livePrincipal(await getDb(), sid, id) : null;
}
