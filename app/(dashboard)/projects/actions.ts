'use server';
import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { formToObject, runAction, type ActionResult } from '@/lib/server/actions/run-action';
import {
  addTeamMemberOp, changeRoleOp, createProjectOp, deleteProjectOp, removeTeamMemberOp, renameProjectOp,
} from '@/lib/server/projects/operations';
import { createInvitationOp, renewInvitationOp, revokeInvitationOp } from '@/lib/server/invitations/operations';
import { headers } from 'next/headers';
import { publicOrigin } from '@/lib/server/http/origin';

// Creates a project and opens it.
export async function createProjectAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(createProjectOp, formToObject(form));
  if (result.ok) redirect(`/projects/${result.data.id}`);
  return result;
}

// Renames a project (owners).
export async function renameProjectAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(renameProjectOp, formToObject(form));
  if (result.ok) revalidatePath(`/projects/${result.data.id}`, 'layout');
  return result;
}

// Deletes a project with its networks and team (owners).
export async function deleteProjectAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(deleteProjectOp, formToObject(form));
  if (result.ok) redirect('/projects');
  return result;
}

// Adds an existing user to the team with a role (owners).
export async function addTeamMemberAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(addTeamMemberOp, formToObject(form));
  if (result.ok) revalidatePath(`/projects/${form.get('projectId')}/team`);
  return result;
}

// Changes a team member's role; never the last owner's (owners).
export async function changeRoleAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(changeRoleOp, formToObject(form));
  revalidatePath(`/projects/${form.get('projectId')}/team`);
  return result;
}

// Removes someone from the team; never the last owner (owners).
export async function removeTeamMemberAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(removeTeamMemberOp, formToObject(form));
  if (result.ok) revalidatePath(`/projects/${form.get('projectId')}/team`);
  return result;
}

/** An invitation's answer with its full link, from where the caller reached us. */
async function withUrl<T extends { path: string }>(result: ActionResult<T>): Promise<ActionResult<T & { url: string }>> {
  if (!result.ok) return result;
  return { ok: true, data: { ...result.data, url: `${publicOrigin(await headers())}${result.data.path}` } };
}

// Invites an email address with a role; the one-time link comes back to be copied (owners and admins).
export async function createInvitationAction(_prev: ActionResult | null, form: FormData) {
  const result = await withUrl(await runAction(createInvitationOp, formToObject(form)));
  if (result.ok) revalidatePath(`/projects/${form.get('projectId')}/team`);
  return result;
}

// A new link for a pending invitation; the old one stops working (owners and admins).
export async function renewInvitationAction(_prev: ActionResult | null, form: FormData) {
  const result = await withUrl(await runAction(renewInvitationOp, formToObject(form)));
  if (result.ok) revalidatePath(`/projects/${form.get('projectId')}/team`);
  return result;
}

// Revokes a pending invitation (owners and admins).
export async function revokeInvitationAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(revokeInvitationOp, formToObject(form));
  if (result.ok) revalidatePath(`/projects/${form.get('projectId')}/team`);
  return result;
}
