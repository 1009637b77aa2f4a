'use server';
// The only server actions outside the gate: they are how a caller becomes a principal.
// Sign-in attempts are rate-limited inside the credentials provider (lib/auth/config.ts).
import { AuthError } from 'next-auth';
import { signIn, signOut } from '@/lib/auth/config';
import { getDb } from '@/lib/db/client';
import { createUser, signInSchema, signUpSchema } from '@/lib/users/users';
import { AppError } from '@/lib/errors';
import { fieldErrorsOf } from '@/lib/auth/gate';
import type { ActionResult } from '@/lib/actions/run-action';

const wrongCredentials = 'Email or password is incorrect.';

async function signInOrExplain(email: string, password: string): Promise<ActionResult> {
  try {
    await signIn('credentials', { email, password, redirectTo: '/projects' });
    return { ok: true, data: null };
  } catch (error) {
    if (error instanceof AuthError) {
      const code = (error as AuthError & { code?: string }).code;
      const message = code === 'rate_limited' ? 'Too many failed attempts. Wait 15 minutes and try again.' : wrongCredentials;
      return { ok: false, error: message, fieldErrors: {} };
    }
    throw error; // the redirect on success
  }
}

// Signs in with email and password; the same message for an unknown email and a wrong password.
export async function signInAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const parsed = signInSchema.safeParse({ email: form.get('email'), password: form.get('password') });
  if (!parsed.success) return { ok: false, error: 'Check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error) };
  return signInOrExplain(parsed.data.email, parsed.data.password);
}

// Creates an account and signs it in.
export async function signUpAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const parsed = signUpSchema.safeParse({ email: form.get('email'), password: form.get('password'), name: form.get('name') ?? '' });
  if (!parsed.success) return { ok: false, error: 'Check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    await createUser(await getDb(), parsed.data);
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.message, fieldErrors: error.field ? { [error.field]: error.message } : {} };
    throw error;
  }
  return signInOrExplain(parsed.data.email, parsed.data.password);
}

export async function signOutAction() {
  await signOut({ redirectTo: '/sign-in' });
}
