import type { Db } from '../db/client';
import type { User } from '../db/schema';
import { checkCredentials } from '../users/users';
import { reserveSignIn, signInSucceeded } from './rate-limit';

export type SignInOutcome =
  | { ok: true; user: User }
  | { ok: false; reason: 'wrong' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

/** One password check, booked against the limits first (lib/server/auth/rate-limit.ts). */
export async function attemptSignIn(db: Db, input: { email: string; password: string; ip: string | null }): Promise<SignInOutcome> {
  const keys = { email: input.email, ip: input.ip };
  const reservation = await reserveSignIn(db, keys);
  if (!reservation.allowed) return { ok: false, reason: 'rate_limited', retryAfterSeconds: reservation.retryAfterSeconds };
  const user = await checkCredentials(db, input.email, input.password);
  if (!user) return { ok: false, reason: 'wrong' };
  await signInSucceeded(db, keys);
  return { ok: true, user };
}

/** What the sign-in form says when the limits refuse an attempt. */
export function waitMessage(seconds: number): string {
  const wait = seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${Math.max(1, seconds)} seconds`;
  return `Too many failed attempts from your address. Try again in ${wait}.`;
}
