'use server';
import { revalidatePath } from 'next/cache';
import { formToObject, runAction, type ActionResult } from '@/lib/server/actions/run-action';
import { createApiTokenOp, revokeApiTokenOp } from '@/lib/server/tokens/operations';
import { changePasswordOp, endAllSessionsOp } from '@/lib/server/users/operations';
import { signOut } from '@/lib/server/auth/config';

// Creates an API token; its secret is returned once, for the page to show.
export async function createApiTokenAction(_prev: ActionResult | null, form: FormData) {
  const result = await runAction(createApiTokenOp, formToObject(form));
  if (result.ok) revalidatePath('/settings');
  return result;
}

// Revokes one of the caller's API tokens.
export async function revokeApiTokenAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(revokeApiTokenOp, formToObject(form));
  if (result.ok) revalidatePath('/settings');
  return result;
}

// Changes the caller's password; every other session of theirs ends, this one stays.
export async function changePasswordAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  return runAction(changePasswordOp, formToObject(form));
}

// Ends every session of the caller, everywhere, then this browser's cookie.
export async function signOutEverywhereAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(endAllSessionsOp, formToObject(form));
  if (result.ok) await signOut({ redirectTo: '/sign-in' });
  return result;
}
