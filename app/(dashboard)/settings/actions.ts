'use server';
import { revalidatePath } from 'next/cache';
import { formToObject, runAction, type ActionResult } from '@/lib/actions/run-action';
import { createApiTokenOp, revokeApiTokenOp } from '@/lib/tokens/operations';

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
