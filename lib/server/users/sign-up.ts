import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../db/client';
import { rows } from '../db/client';
import type { User } from '../db/schema';
import { AppError } from '../errors';
import { createUser, type signUpSchema } from './users';

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
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table users in exclusive mode`);
    const [row] = await rows<{ any: boolean }>(tx, sql`select exists (select 1 from users) as any`);
    if (row.any) throw closed('first');
    return createUser(tx, input);
  });
}
