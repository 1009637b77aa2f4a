import { cache } from 'react';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { auth } from './config';
import { getDb } from '../db/client';
import { findUserById } from '../users/users';
import { principalOf, type Principal } from './gate';
import { clientIp } from '../http/client-ip';
import { env } from '../env';

/**
 * The signed-in user, checked against the database (a deleted account signs out). Memoized
 * per request: a page's layout and each of its gated reads would otherwise look it up again.
 */
const currentUser = cache(async () => {
  const session = await auth();
  const id = session?.user?.id;
  return id ? findUserById(await getDb(), id) : undefined;
});

export async function sessionPrincipal(): Promise<Principal | null> {
  const user = await currentUser();
  return user ? principalOf(user) : null;
}

export async function requireUser() {
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  return user;
}

export async function requestIp(): Promise<string | null> {
  return clientIp(await headers(), env().MESHPLANE_TRUSTED_PROXIES);
}
