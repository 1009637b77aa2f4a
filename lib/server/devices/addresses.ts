import { and, eq, inArray, sql } from 'drizzle-orm';
import { can } from '../../core/permissions';
import type { Tx } from '../db/client';
import { deviceAddresses, devices, memberships, networks, peers } from '../db/schema';
import { AppError, conflict, pgConstraint } from '../errors';
import { deviceBlock } from '../../core/addressing';
import { allocateAddresses, releaseAddresses } from '../networks/allocation';
import { changeNetwork } from '../networks/change';
import type { ReachableNetwork } from './queries';

export const duplicateKeyMessage = 'This public key is already used by another device or host. Generate a new key pair.';

/**
 * Public keys are unique across devices and peers, two tables no single constraint spans: an
 * advisory lock on the key serializes the check-then-write of every claim made here.
 */
export async function claimPublicKey(tx: Tx, publicKey: string, self: { peerId?: string } = {}) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`wg-public-key:${publicKey}`}))`);
  const [peer] = await tx.select({ id: peers.id }).from(peers).where(eq(peers.publicKey, publicKey));
  const [device] = await tx.select({ id: devices.id }).from(devices).where(eq(devices.publicKey, publicKey));
  if ((peer && peer.id !== self.peerId) || device) throw duplicateKey();
}

/** A public-key unique-constraint failure as the same 409 claimPublicKey gives; other errors as they are. */
export function keyConflictOf(e: unknown): unknown {
  const c = pgConstraint(e);
  return c === 'peers_public_key_unique' || c === 'devices_public_key_unique' ? duplicateKey() : e;
}

function duplicateKey(): AppError {
  return conflict(duplicateKeyMessage, 'publicKey', 'duplicate_key');
}

/** Gives devices an address each in one network; hosts are told by the version bump. */
async function addDevices(tx: Tx, networkId: string, deviceIds: string[]) {
  await changeNetwork(tx, null, networkId, async (tx, network) => {
    const ips = await allocateAddresses(tx, network, deviceIds, 'devices');
    await tx.insert(deviceAddresses).values(deviceIds.map((deviceId, i) => ({ deviceId, networkId, ip: ips[i] })));
    return { result: undefined };
  });
}

/** Gives the device an address in each network, in id order; a full network fails it all. */
export async function joinNetworks(tx: Tx, deviceId: string, list: ReachableNetwork[]) {
  for (const n of [...list].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    try {
      await addDevices(tx, n.id, [deviceId]);
    } catch (e) {
      if (e instanceof AppError && e.code === 'network_full') {
        throw conflict(`Network “${n.label}” in project “${n.projectName}” has no free device address: its device block ${deviceBlock(n.cidr)} is full. Ask an admin to remove unused devices there.`, undefined, 'network_full');
      }
      throw e;
    }
  }
}

/** Takes devices' addresses out of these networks: released, and the hosts told. */
export async function leaveNetworks(tx: Tx, deviceIds: string[], networkIds: string[]) {
  if (deviceIds.length === 0) return;
  for (const networkId of [...new Set(networkIds)].sort()) {
    await changeNetwork(tx, null, networkId, async (tx) => {
      const gone = await tx.delete(deviceAddresses)
        .where(and(eq(deviceAddresses.networkId, networkId), inArray(deviceAddresses.deviceId, deviceIds)))
        .returning({ ip: deviceAddresses.ip });
      await releaseAddresses(tx, networkId, gone.map((g) => g.ip));
      return { result: undefined };
    });
  }
}

/**
 * accessChanged's devices part. Below developer (or gone): the user's devices leave every
 * network of the project. Developer or higher: their existing devices join the networks they
 * lack, so the next download reaches them (the device shows as out of date until then); a
 * full network is skipped rather than blocking the role change, and the device keeps
 * showing out of date until a Regenerate finds room.
 */
export async function syncDeviceAccess(tx: Tx, projectId: string, userId: string) {
  const owned = (await tx.select({ id: devices.id }).from(devices).where(eq(devices.userId, userId))).map((d) => d.id);
  if (owned.length === 0) return;
  const [membership] = await tx.select({ role: memberships.role }).from(memberships)
    .where(and(eq(memberships.projectId, projectId), eq(memberships.userId, userId)));
  const inProject = await tx.select({ id: networks.id, label: networks.label, cidr: networks.cidr }).from(networks)
    .where(eq(networks.projectId, projectId)).orderBy(networks.id);
  if (inProject.length === 0) return;
  const held = await tx.select({ deviceId: deviceAddresses.deviceId, networkId: deviceAddresses.networkId }).from(deviceAddresses)
    .where(and(inArray(deviceAddresses.deviceId, owned), inArray(deviceAddresses.networkId, inProject.map((n) => n.id))));
  const developer = can(membership?.role, 'access.own');
  if (!developer) return leaveNetworks(tx, owned, held.map((h) => h.networkId));
  for (const n of inProject) {
    const lacking = owned.filter((id) => !held.some((h) => h.deviceId === id && h.networkId === n.id));
    if (lacking.length === 0) continue;
    try {
      await tx.transaction((sp) => addDevices(sp, n.id, lacking)); // a savepoint: a full network undoes only its own part
    } catch (e) {
      if (!(e instanceof AppError && (e.code === 'network_full' || e.code === 'allocation_race'))) throw e;
    }
  }
}
