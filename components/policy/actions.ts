'use server';
import { refresh } from 'next/cache';
import { formToObject, runAction, type ActionResult } from '@/lib/server/actions/run-action';
import { addPolicyRuleOp, deletePolicyRuleOp, reachabilityOp, setPolicyModeOp } from '@/lib/server/policy/operations';

// Switches the network between open and isolated (admins).
export async function setPolicyModeAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(setPolicyModeOp, formToObject(form));
  if (result.ok) refresh();
  return result;
}

// Adds an allow rule (admins).
export async function addPolicyRuleAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(addPolicyRuleOp, formToObject(form));
  if (result.ok) refresh();
  return result;
}

// Deletes an allow rule (admins).
export async function deletePolicyRuleAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(deletePolicyRuleOp, formToObject(form));
  if (result.ok) refresh();
  return result;
}

// The checker: can X reach Y on port P/protocol, and which rule decides (anyone in the team).
export async function checkReachabilityAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const { port, ...rest } = formToObject(form);
  return runAction(reachabilityOp, { ...rest, ...(port === '' ? {} : { port }) });
}
