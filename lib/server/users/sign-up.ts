import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, Queryable } from '../db/client';
import { rows } from '../db/client';
import type { User } from '../db/schema';
import { AppError } from '../errors';
import { createOidcUser, createUser, findUserByEmail, findUserByOidcSubject, linkOidcSubject, type OidcClaims, type signUpSchema } from './users';

/** MESHPLANE_SIGNUP: who may make an account from the sign-up page. Invitations work under every policy. */
export type SignUpPolicy = 'first' | 'open' | 'closed';

export const signUpClosedMessage: Record<Exclude<SignUpPolicy, 'open'>, string> = {
  first: 'Sign-up is closed: this server already has its first account. New users join through an invitation link from a project owner or admin.',
  closed: 'Sign-up is closed on this server. New users join through an invitation link from a project owner or admin.',
};

const closed = (policy: Exclude<SignUpPolicy, 'open'>) => new AppError(403, 'signup_closed', signUpClosedMessage[policy]);

/** Whether the sign-up page offers its form, and if not, why. */
export async function signUpState(db: Db, policy: SignUpPolicy): Promise<{ open: true } | { open: false; message: string }> {
  if (policy === 'open') return { open: true };
  if (policy === 'first') {
    const [row] = await rows<{ any: boolean }>(db, sql`select exists (select 1 from users) as any`);
    if (!row.any) return { open: true };
  }
  return { open: false, message: signUpClosedMessage[policy] };
}

/**
 * An account from the sign-up page. Under `first`, the table is locked while it is checked
 * and filled, so two people racing to be first cannot both win.
 */
export async function signUp(db: Db, policy: SignUpPolicy, input: z.input<typeof signUpSchema>): Promise<User> {
  if (policy === 'closed') throw closed('closed');
  if (policy === 'open') return createUser(db, input);
  const user = await asFirstAccount(db, (tx) => createUser(tx, input));
  if (!user) throw closed('first');
  return user;
}

/**
 * Who an OIDC sign-in is, or null when it is refused: the account already linked to the
 * subject; else the account with the same email, linked only when the provider says the email
 * is verified (else whoever registers that address at the provider would take the account);
 * else a new account, only where the sign-up policy allows one, as on the sign-up page.
 */
export async function oidcAccount(db: Db, policy: SignUpPolicy, c: OidcClaims): Promise<User | null> {
  const linked = await findUserByOidcSubject(db, c.subject);
  if (linked) return linked;
  const existing = await findUserByEmail(db, c.email);
  if (existing) return c.emailVerified ? linkOidcSubject(db, existing.id, c.subject) : null;
  if (policy === 'closed') return null;
  if (policy === 'open') return createOidcUser(db, c);
  return asFirstAccount(db, (tx) => createOidcUser(tx, c));
}

/** `make`'s account when the server has none yet, else null; the table is locked meanwhile. */
async function asFirstAccount(db: Db, make: (tx: Queryable) => Promise<User>): Promise<User | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table users in exclusive mode`);
    const [row] = await rows<{ any: boolean }>(tx, sql`select exists (select 1 from users) as any`);
    return row.any ? null : make(tx);
  });
}
