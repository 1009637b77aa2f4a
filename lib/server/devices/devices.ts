import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { devices } from '../db/schema';
import { conflict, forbidden, pgConstraint } from '../errors';
import { newId } from '../../core/ids';
import { changeNetwork } from '../networks/change';
import { recordAudit, type Actor } from '../audit/record';
import { claimPublicKey, joinNetworks, keyConflictOf, leaveNetworks } from './addresses';
import { assembleDeviceConfig, networkReach } from '../../core/devices/device-config';
import { configHash } from '../../core/devices/config-hash';
import { addressesOf, deviceNetworks, ownDevice, reachableNetworks } from './queries';
import type { DeviceConfigAnswer } from '../../core/devices/types';

const noDeveloperRole = 'Devices need the developer role (or higher) in at least one project.';

/** Unique-constraint failures as the 409s the user can act on. */
function asConflict(e: unknown, name: string): unknown {
  if (pgConstraint(e) === 'devices_user_name_uq') return conflict(`You already have a device named “${name}”. Choose another name.`, 'name', 'duplicate_name');
  return keyConflictOf(e);
}

/** Computes the device's config now and records it as what the device was given. */
async function give(tx: Tx, device: { id: string; name: string }): Promise<DeviceConfigAnswer> {
  const networks = await deviceNetworks(tx, device.id);
  const body = assembleDeviceConfig(networks);
  await tx.update(devices).set({ lastGivenHash: configHash(body), lastGivenConfig: body }).where(eq(devices.id, device.id));
  return { id: device.id, name: device.name, ...body, networks: networks.map(networkReach) };
}

async function audit(tx: Tx, actor: Actor, action: string, device: { id: string; name: string }, projectIds: string[]) {
  // One entry per project whose hosts change, so each project's activity shows it.
  for (const projectId of [...new Set(projectIds)]) {
    await recordAudit(tx, actor, { projectId, action, resourceType: 'device', resourceId: device.id, details: { name: device.name } });
  }
}

/** A new device with an address in every network the user may reach, all or nothing. */
export async function createDevice(db: Db, actor: Actor, input: { name: string; publicKey: string }) {
  try {
    return await db.transaction(async (tx) => {
      const reach = await reachableNetworks(tx, actor.userId, true);
      if (!reach.developer) throw forbidden(noDeveloperRole);
      await claimPublicKey(tx, input.publicKey);
      const [device] = await tx.insert(devices).values({ id: newId('device'), userId: actor.userId, name: input.name, publicKey: input.publicKey }).returning();
      await joinNetworks(tx, device.id, reach.networks);
      await audit(tx, actor, 'device.create', device, reach.networks.map((n) => n.projectId));
      return give(tx, device);
    });
  } catch (e) {
    throw asConflict(e, input.name);
  }
}

/**
 * A new key pair for a device whose private key is gone: same id and addresses, new public
 * key, the old one revoked at the next push. It also joins networks it lacks, so this is the
 * one step that brings an out-of-date device up to date.
 */
export async function regenerateDevice(db: Db, actor: Actor, deviceId: string, publicKey: string) {
  try {
    return await db.transaction(async (tx) => {
      const device = await ownDevice(tx, actor.userId, deviceId, true);
      const reach = await reachableNetworks(tx, actor.userId, true);
      if (!reach.developer) throw forbidden(noDeveloperRole);
      await claimPublicKey(tx, publicKey);
      await tx.update(devices).set({ publicKey }).where(eq(devices.id, device.id));
      const held = await addressesOf(tx, [device.id]);
      const ids = [...new Set([...held.map((a) => a.networkId), ...reach.networks.map((n) => n.id)])].sort();
      // One pass in id order (the lock order everywhere): stray networks are left, missing
      // ones joined, and kept ones bumped, since their hosts now need the new key.
      for (const networkId of ids) {
        const reachable = reach.networks.find((n) => n.id === networkId);
        const holds = held.some((a) => a.networkId === networkId);
        if (!reachable) await leaveNetworks(tx, [device.id], [networkId]);
        else if (!holds) await joinNetworks(tx, device.id, [reachable]);
        else await changeNetwork(tx, null, networkId, async () => ({ result: undefined }));
      }
      await audit(tx, actor, 'device.regenerate', device, reach.networks.map((n) => n.projectId));
      return give(tx, device);
    });
  } catch (e) {
    throw asConflict(e, '');
  }
}

/** Revokes a device: its addresses are released and every host drops it at the next push. */
export async function deleteDevice(db: Db, actor: Actor, deviceId: string) {
  await db.transaction(async (tx) => {
    const device = await ownDevice(tx, actor.userId, deviceId, true);
    const held = await addressesOf(tx, [device.id]);
    await leaveNetworks(tx, [device.id], held.map((a) => a.networkId));
    await tx.delete(devices).where(eq(devices.id, device.id));
    await audit(tx, actor, 'device.delete', device, held.map((a) => a.projectId));
  });
}
