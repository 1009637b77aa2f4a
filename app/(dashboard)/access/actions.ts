'use server';
import { revalidatePath } from 'next/cache';
import { formToObject, runAction, type ActionResult } from '@/lib/server/actions/run-action';
import { createDeviceOp, deleteDeviceOp, deviceConfigOp, markConfigGivenOp, regenerateDeviceOp } from '@/lib/server/devices/operations';
import type { CurrentDeviceConfig, DeviceConfigAnswer } from '@/lib/core/devices/types';

// Only public keys come through here: the private half stays in the browser that made it.
// The operations validate every field; these types only document what the page sends.

// Adds a device by name and public key; answers its config body.
export async function createDeviceAction(input: { name: string; publicKey: string }): Promise<ActionResult<DeviceConfigAnswer>> {
  const result = await runAction(createDeviceOp, input);
  if (result.ok) revalidatePath('/access');
  return result;
}

// Gives a device a new public key (the old one is revoked) and answers its fresh config body.
export async function regenerateDeviceAction(input: { deviceId: string; publicKey: string }): Promise<ActionResult<DeviceConfigAnswer>> {
  const result = await runAction(regenerateDeviceOp, input);
  if (result.ok) revalidatePath('/access');
  return result;
}

// Deletes one of the caller's devices (from the confirmation dialog).
export async function deleteDeviceAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(deleteDeviceOp, formToObject(form));
  if (result.ok) revalidatePath('/access');
  return result;
}

// "Update config" with the key this browser kept: the config as of now (no key in it), then
// the hash of what the browser rendered recorded as given, as API clients do.
export async function currentConfigAction(input: { deviceId: string }): Promise<ActionResult<CurrentDeviceConfig>> {
  return runAction(deviceConfigOp, input);
}

export async function markConfigGivenAction(input: { deviceId: string; hash: string }): Promise<ActionResult<CurrentDeviceConfig>> {
  const result = await runAction(markConfigGivenOp, input);
  if (result.ok) revalidatePath('/access');
  return result;
}
