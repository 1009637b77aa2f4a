'use server';
import { revalidatePath } from 'next/cache';
import { runAction, type ActionResult } from '@/lib/server/actions/run-action';
import { updatePeerOp } from '@/lib/server/peers/operations';
import type { PeerConfigBody } from '@/lib/core/devices/types';

// Registers the public key (made in the admin's browser) and endpoint of a peer run by hand;
// answers the config body the browser completes with the private key. Admins only (the op's gate).
export async function registerPeerKeyAction(input: { peerId: string; publicKey: string; endpoint: string }): Promise<ActionResult<{ config: PeerConfigBody | null }>> {
  const result = await runAction(updatePeerOp, { peerId: input.peerId, publicKey: input.publicKey, endpoint: input.endpoint });
  if (!result.ok) return result;
  revalidatePath('/projects/[projectId]/networks/[networkId]/peers/[peerId]', 'page');
  return { ok: true, data: { config: result.data.config } };
}

// Makes this host the network's gateway, or stops it being one (admins).
export async function setGatewayAction(_prev: ActionResult | null, form: FormData): Promise<ActionResult> {
  const result = await runAction(updatePeerOp, { peerId: form.get('peerId'), gateway: form.get('gateway') === 'true' });
  revalidatePath('/projects/[projectId]/networks/[networkId]/peers/[peerId]', 'page');
  return result.ok ? { ok: true, data: null } : result;
}
