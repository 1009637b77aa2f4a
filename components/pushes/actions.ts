'use server';
import { refresh } from 'next/cache';
import { formToObject, runAction, type ActionResult } from '@/lib/server/actions/run-action';
import { createEnrollmentTokenOp, pushNowOp } from '@/lib/server/delivery/operations';

export type PushNowResult = { claimed: number; applied: number; failed: number; configVersion: number | null };
export type EnrollmentToken = { token: string; expiresAt: string };

// Push now: one worker round for the network (admins); the page's host statuses refresh.
export async function pushNowAction(_prev: ActionResult<PushNowResult> | null, form: FormData): Promise<ActionResult<PushNowResult>> {
  const result = await runAction(pushNowOp, formToObject(form));
  if (!result.ok) return result;
  refresh();
  const { claimed, applied, failed, configVersion } = result.data;
  return { ok: true, data: { claimed, applied, failed, configVersion } };
}

// A one-use, one-hour enrolment token for a peer (admins); shown once.
export async function enrollmentTokenAction(_prev: ActionResult<EnrollmentToken> | null, form: FormData): Promise<ActionResult<EnrollmentToken>> {
  const result = await runAction(createEnrollmentTokenOp, formToObject(form));
  return result.ok ? { ok: true, data: { token: result.data.token, expiresAt: result.data.expiresAt.toISOString() } } : result;
}
