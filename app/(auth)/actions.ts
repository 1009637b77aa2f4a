'use server';
// The only server actions outside the gate: they are how a caller becomes a principal.
// Sign-in attempts are rate-limited inside the credentials provider (lib/server/auth/config.ts).
import { AuthError } from 'next-auth';
import { signIn, signOut } from '@/lib/server/auth/config';
import { getDb } from '@/lib/server/db/client';
import { env } from '@/lib/server/env';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { createUser, findUserByEmail, signInSchema, signUpSchema } from '@/lib/server/users/users';
import { acceptAsNewUser, acceptInvitation, viewInvitation } from '@/lib/server/invitations/invitations';
import { acceptInvitationOp } from '@/lib/server/invitations/operations';
import { signUp } from '@/lib/server/users/sign-up';
import { retryAfter } from '@/lib/server/auth/rate-limit';
import { waitMessage } from '@/lib/server/auth/sign-in';
import { requestIp } from '@/lib/server/auth/session';
import { AppError } from '@/lib/server/errors';
import { fieldErrorsOf } from '@/lib/server/auth/gate';
import { runAction, type ActionResult } from '@/lib/server/actions/run-action';

const wrongCredentials = 'Email or password is incorrect.';

/** What the form shows again after a refusal (React resets a form after its action): never the password. */
function typed(form: FormData, ...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, String(form.get(n) ?? '')]));
}

/** A refused sign-in as the form says it: the wait when the limits refused, else `wrong`. */
async function explain(error: AuthError, email: string, wrong = wrongCredentials): Promise<ActionResult> {
  if ((error as AuthError & { code?: string }).code === 'rate_limited') {
    const seconds = await retryAfter(await getDb(), { email, ip: await requestIp() });
    return { ok: false, error: waitMessage(seconds), fieldErrors: {} };
  }
  return { ok: false, error: wrong, fieldErrors: {} };
}

async function signInOrExplain(email: string, password: string, redirectTo: string): Promise<ActionResult> {
  try {
    await signIn('credentials', { email, password, redirectTo });
    return { ok: true, data: null };
  } catch (error) {
    if (error instanceof AuthError) return explain(error, email);
    throw error; // the redirect on success
  }
}

// Signs in with email and password; the same message for an unknown email and a wrong password.
export async function signInAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const values = typed(form, 'email');
  const parsed = signInSchema.safeParse({ email: form.get('email'), password: form.get('password') });
  if (!parsed.success) return { ok: false, error: 'Check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error), values };
  const result = await signInOrExplain(parsed.data.email, parsed.data.password, '/projects');
  return result.ok ? result : { ...result, values };
}

// Creates an account (when MESHPLANE_SIGNUP allows) and signs it in.
export async function signUpAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const values = typed(form, 'email', 'name');
  const parsed = signUpSchema.safeParse({ email: form.get('email'), password: form.get('password'), name: form.get('name') ?? '' });
  if (!parsed.success) return { ok: false, error: 'Check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error), values };
  try {
    await signUp(await getDb(), env().MESHPLANE_SIGNUP, parsed.data);
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.message, fieldErrors: error.field ? { [error.field]: error.message } : {}, values };
    throw error;
  }
  return signInOrExplain(parsed.data.email, parsed.data.password, '/projects');
}

export async function signOutAction() {
  await signOut({ redirectTo: '/sign-in' });
}

const failure = (error: unknown, values?: Record<string, string>): ActionResult => {
  if (error instanceof AppError) return { ok: false, error: error.message, fieldErrors: error.field ? { [error.field]: error.message } : {}, values };
  throw error;
};

// The signed-in invitee accepts and lands in the project.
export async function acceptInvitationAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(acceptInvitationOp, { token: form.get('token') });
  if (result.ok) redirect(`/projects/${result.data.projectId}`);
  return result;
}

// An invitee with an account signs in with its password and accepts in one step.
export async function signInAndAcceptAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const token = String(form.get('token') ?? '');
  const password = String(form.get('password') ?? '');
  if (!password) return { ok: false, error: 'Enter your password.', fieldErrors: { password: 'Enter your password.' } };
  const db = await getDb();
  let projectId: string;
  let email = '';
  try {
    ({ email } = await viewInvitation(db, token));
    await signIn('credentials', { email, password, redirect: false });
    // The credentials were just checked (signIn throws otherwise); the new cookie is not in this request yet.
    const user = await findUserByEmail(db, email);
    if (!user) return { ok: false, error: wrongCredentials, fieldErrors: {} };
    ({ projectId } = await acceptInvitation(db, token, user, await requestIp()));
  } catch (error) {
    if (error instanceof AuthError) return explain(error, email, 'The password is not right.');
    return failure(error);
  }
  redirect(`/projects/${projectId}`);
}

const newAccountSchema = signUpSchema.pick({ name: true, password: true });

// An invitee without an account makes one (whatever MESHPLANE_SIGNUP says: the link is the permission) and joins.
export async function joinWithNewAccountAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const values = typed(form, 'name');
  const token = z.string().parse(form.get('token') ?? '');
  const parsed = newAccountSchema.safeParse({ name: form.get('name') ?? '', password: form.get('password') });
  if (!parsed.success) return { ok: false, error: 'Check the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error), values };
  let joined: { projectId: string; email: string };
  try {
    joined = await acceptAsNewUser(await getDb(), token, (tx, email) => createUser(tx, { email, ...parsed.data }), await requestIp());
  } catch (error) {
    return failure(error, values);
  }
  return signInOrExplain(joined.email, parsed.data.password, `/projects/${joined.projectId}`);
}
