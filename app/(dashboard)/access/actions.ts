'use server';
import { revalidatePath } from 'next/cache';
import { formToObject, runAction, type ActionResult } from '@/lib/actions/run-action';
import { createDeviceOp, deleteDeviceOp, regenerateDeviceOp } from '@/lib/devices/operations';
import type { DeviceConfigAnswer } from '@/lib/devices/types';

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
