import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { auth } from './config';
import { getDb } from '../db/client';
import { findUserById } from '../users/users';
import type { Principal } from './gate';
import { clientIp } from '../http/client-ip';
import { env } from '../env';

/** The signed-in user, checked against the database (a deleted account signs out). */
export async function sessionPrincipal(): Promise<Principal | null> {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const user = await findUserById(await getDb(), id);
  return user ? { userId: user.id, email: user.email } : null;
}

export async function requireUser() {
  const session = await auth();
  const id = session?.user?.id;
  const user = id ? await findUserById(await getDb(), id) : undefined;
  if (!user) redirect('/sign-in');
  return user;
}

export async function requestIp(): Promise<string | null> {
  return clientIp(await headers(), env().MESHPLANE_TRUSTED_PROXIES);
}
