import { cache } from 'react';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { auth } from './config';
import { getDb } from '../db/client';
import { findSessionUser } from './sessions';
import { principalOf, type Principal } from './gate';
import { clientIp } from '../http/client-ip';
import { env } from '../env';

/**
 * The signed-in user, checked against the database: a session that was ended (sign-out,
 * "sign out everywhere", a password change) or a deleted account signs out. Memoized per
 * request: a page's layout and each of its gated reads would otherwise look it up again.
 */
const currentSession = cache(async () => {
  const session = await auth();
  const id = session?.user?.id;
  const sid = session?.sessionId;
  if (!id || !sid) return undefined;
  const found = await findSessionUser(await getDb(), sid, id);
  return found ? { user: found.user, sessionId: sid } : undefined;
});

export async function sessionPrincipal(): Promise<Principal | null> {
  const current = await currentSession();
  return current ? { ...principalOf(current.user), sessionId: current.sessionId } : null;
}

export async function requireUser() {
  const current = await currentSession();
  if (!current) redirect('/sign-in');
  return current.user;
}

/** The signed-in user or undefined, for pages that anyone may open (an invitation). */
export async function optionalUser() {
  return (await currentSession())?.user;
}

export async function requestIp(): Promise<string | null> {
  return clientIp(await headers(), env().MESHPLANE_TRUSTED_PROXIES);
}
