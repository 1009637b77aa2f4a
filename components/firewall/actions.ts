'use server';
import { refresh } from 'next/cache';
import { formToObject, runAction, type ActionResult } from '@/lib/server/actions/run-action';
import { addRuleOp, deleteRuleOp, leaseNowOp, renewLeaseOp, revokeLeaseOp } from '@/lib/server/firewall/operations';
import type { z } from 'zod';
import type { Operation } from '@/lib/server/auth/gate';

// The panel lives on whatever page renders it, so it refreshes the current route, not a path.
async function run<S extends z.ZodType, R>(op: Operation<S, R>, form: FormData): Promise<ActionResult> {
  const result = await runAction(op, formToObject(form));
  if (result.ok) refresh();
  return result;
}

// Lease Now: the caller's IP (or a stated one, admins) for 24 hours; renews a lease of the same IP.
export async function leaseNowAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  return run(leaseNowOp, form);
}

// Renews a lease for 24 hours from now (its holder, anyone at its IP, admins).
export async function renewLeaseAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  return run(renewLeaseOp, form);
}

// Revokes a lease now (developers and above).
export async function revokeLeaseAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  return run(revokeLeaseOp, form);
}

// Adds a permanent rule (admins).
export async function addRuleAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  return run(addRuleOp, form);
}

// Deletes a permanent rule (admins).
export async function deleteRuleAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  return run(deleteRuleOp, form);
}
