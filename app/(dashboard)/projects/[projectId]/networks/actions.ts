'use server';
import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { formToObject, runAction, type ActionResult } from '@/lib/server/actions/run-action';
import { createNetworkOp, deleteNetworkOp, updateNetworkOp } from '@/lib/server/networks/operations';
import { createMemberOp, deleteMemberOp, scaleMemberOp, updateMemberOp } from '@/lib/server/members/operations';

const networkPath = (projectId: FormDataEntryValue | null, networkId: string) => `/projects/${projectId}/networks/${networkId}`;

// Creates a network and opens it (admins).
export async function createNetworkAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(createNetworkOp, formToObject(form));
  if (result.ok) redirect(networkPath(form.get('projectId'), result.data.id));
  return result;
}

// Saves a network's label, description and tags (admins).
export async function updateNetworkAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const { projectId: _p, ...input } = formToObject(form);
  const result = await runAction(updateNetworkOp, input);
  if (result.ok) revalidatePath(networkPath(form.get('projectId'), result.data.id));
  return result;
}

// Deletes a network with its members and peers (admins).
export async function deleteNetworkAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(deleteNetworkOp, { networkId: form.get('networkId') });
  if (result.ok) redirect(`/projects/${form.get('projectId')}`);
  return result;
}

/** Form fields `process.<name>` become `{ <name>: count }`. */
function processesFrom(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of form.entries()) if (key.startsWith('process.') && String(value) !== '') out[key.slice(8)] = value;
  return out;
}

// Adds a member with its first instances (admins).
export async function createMemberAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const kind = form.get('kind');
  const processes = processesFrom(form);
  const extra = form.get('processName') ? { [String(form.get('processName'))]: form.get('processCount') } : {};
  const result = await runAction(createMemberOp, {
    networkId: form.get('networkId'), kind, label: form.get('label'), tags: form.get('tags') ?? '',
    ...(kind === 'application' ? { processes: { ...processes, ...extra } } : { instances: form.get('instances') }),
  });
  if (result.ok) redirect(`${networkPath(form.get('projectId'), String(form.get('networkId')))}/members/${result.data.id}`);
  return result;
}

// Scales one process (or the instance count) of a member (admins).
export async function scaleMemberAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const name = String(form.get('process') ?? '');
  const count = form.get('count');
  const result = await runAction(scaleMemberOp, { memberId: form.get('memberId'), scale: name === '' ? { instances: count } : { [name]: count } });
  revalidatePath(String(form.get('path')));
  return result;
}

// Renames or retags a member (admins).
export async function updateMemberAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(updateMemberOp, { memberId: form.get('memberId'), label: form.get('label'), tags: form.get('tags') ?? '' });
  if (result.ok) revalidatePath(String(form.get('path')));
  return result;
}

// Deletes a member and its peers (admins).
export async function deleteMemberAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(deleteMemberOp, { memberId: form.get('memberId') });
  if (result.ok) redirect(networkPath(form.get('projectId'), String(form.get('networkId'))));
  return result;
}
