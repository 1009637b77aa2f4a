import type { NextApiRequest, NextApiResponse } from 'next';
import { auth } from './config';
import { getDb } from '../db/client';
import { findUserById } from '../users/users';
import type { Principal } from './gate';

/** The signed-in user of a pages/api request (the dashboard polling with its cookie). */
export async function apiSessionPrincipal(req: NextApiRequest, res: NextApiResponse): Promise<Principal | null> {
  const session = await auth(req, res);
  const id = session?.user?.id;
  const user = id ? await findUserById(await getDb(), id) : undefined;
  return user ? { userId: user.id, email: user.email } : null;
}
