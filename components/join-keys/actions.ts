'use server';
import { refresh } from 'next/cache';
import { formToObject, runAction, type ActionResult } from '@/lib/server/actions/run-action';
import { createJoinKeyOp, revokeJoinKeyOp } from '@/lib/server/join-keys/operations';

export type NewJoinKey = { id: string; key: string; process: string | null };

const whole = (v: FormDataEntryValue | null) => (v === null || v === '' ? undefined : Number(v));

// Makes a join key for the member (admins); the key is answered once and the list refreshes.
export async function createJoinKeyAction(_prev: ActionResult<NewJoinKey> | null, form: FormData): Promise<ActionResult<NewJoinKey>> {
  const result = await runAction(createJoinKeyOp, {
    memberId: form.get('memberId'), process: form.get('process') || undefined, expiresInHours: whole(form.get('expiresInDays')) === undefined ? undefined : Number(form.get('expiresInDays')) * 24,
    maxUses: whole(form.get('maxUses')), ephemeral: form.get('ephemeral') === 'on', autoscale: form.get('autoscale') === 'on', maxInstances: whole(form.get('maxInstances')),
  });
  if (!result.ok) return result;
  refresh();
  return { ok: true, data: { id: result.data.id, key: result.data.key, process: result.data.process } };
}

// Revokes a join key (admins).
export async function revokeJoinKeyAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(revokeJoinKeyOp, formToObject(form));
  if (result.ok) refresh();
  return result;
}
