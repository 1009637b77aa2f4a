import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db/client';
import { users, type User } from '../db/schema';
import { newId } from '../../core/ids';
import { hashPassword, verifyPassword, dummyHash } from '../auth/password';
import { conflict, pgErrorCode } from '../errors';

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email('Enter a valid email address.')).pipe(z.string().max(254));
export const passwordSchema = z.string().min(8, 'Use at least 8 characters.').max(200, 'Use at most 200 characters.');
export const signUpSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().max(100, 'Use at most 100 characters.').default(''),
});
export const signInSchema = z.object({ email: emailSchema, password: z.string().min(1, 'Enter your password.').max(200) });

/** A DNS label from an email's local part: lower case, [a-z0-9-], at most 40 characters. */
export function handleFromEmail(email: string): string {
  const local = email.split('@')[0].toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  return local || 'user';
}

async function freeHandle(db: Queryable, wanted: string): Promise<string> {
  const taken = await db.select({ handle: users.handle }).from(users).where(sql`${users.handle} ~ ${`^${wanted}(-[0-9]+)?$`}`);
  const set = new Set(taken.map((t) => t.handle));
  if (!set.has(wanted)) return wanted;
  for (let i = 2; ; i++) if (!set.has(`${wanted}-${i}`)) return `${wanted}-${i}`;
}

export async function createUser(db: Queryable, input: z.input<typeof signUpSchema>): Promise<User> {
  const { email, password, name } = signUpSchema.parse(input);
  const passwordHash = await hashPassword(password);
  // A handle race loses to the unique index; try again with the next free one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const handle = await freeHandle(db, handleFromEmail(email));
    try {
      // A savepoint inside a caller's transaction (an invitation), so a lost race can be retried.
      const [user] = await db.transaction((sp) => sp.insert(users).values({ id: newId('user'), email, name, handle, passwordHash }).returning());
      return user;
    } catch (e) {
      if (pgErrorCode(e) !== '23505') throw e;
      const existing = await findUserByEmail(db, email);
      if (existing) throw conflict('An account with this email already exists.', 'email', 'email_taken');
    }
  }
  throw conflict('Could not choose a unique handle; try again.', 'email');
}

export async function findUserByEmail(db: Queryable, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase()));
  return user;
}

export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, id));
  return user;
}

/** The user when email and password match; undefined otherwise, in the same time either way. */
export async function checkCredentials(db: Db, email: string, password: string): Promise<User | undefined> {
  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(password, user?.passwordHash ?? dummyHash);
  return ok && user?.passwordHash ? user : undefined;
}

export type OidcClaims = { subject: string; email: string; emailVerified: boolean; name: string };

export async function findUserByOidcSubject(db: Queryable, subject: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.oidcSubject, subject));
  return user;
}

export async function linkOidcSubject(db: Queryable, userId: string, subject: string): Promise<User> {
  const [linked] = await db.update(users).set({ oidcSubject: subject }).where(eq(users.id, userId)).returning();
  return linked;
}

export async function createOidcUser(db: Queryable, c: OidcClaims): Promise<User> {
  const [created] = await db.insert(users).values({
    id: newId('user'), email: c.email.toLowerCase(), name: c.name, handle: await freeHandle(db, handleFromEmail(c.email)), oidcSubject: c.subject,
  }).returning();
  return created;
}
