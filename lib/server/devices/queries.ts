import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { rows, type Queryable } from '../db/client';
import { deviceAddresses, devices, memberships, networks, peers, projects } from '../db/schema';
import { notFound } from '../errors';
import { can } from '../../core/permissions';
import type { DeviceNetwork, HostRow } from '../../core/devices/device-config';

export type ReachableNetwork = { id: string; label: string; cidr: string; projectId: string; projectName: string };

/**
 * The networks a user's devices may join: every network of every project where the user is
 * developer or higher, in id order (the order network rows are locked in, to avoid deadlocks).
 * `lock` holds the user's memberships FOR SHARE, so a concurrent demotion waits for this
 * transaction and its clean-up (accessChanged) then sees the device.
 */
export async function reachableNetworks(q: Queryable, userId: string, lock = false): Promise<{ developer: boolean; networks: ReachableNetwork[] }> {
  const roleQuery = q.select({ projectId: memberships.projectId, role: memberships.role }).from(memberships).where(eq(memberships.userId, userId));
  const roles = lock ? await roleQuery.for('share') : await roleQuery;
  const projectIds = roles.filter((r) => can(r.role, 'access.own')).map((r) => r.projectId);
  if (projectIds.length === 0) return { developer: false, networks: [] };
  const list = await q.select({ id: networks.id, label: networks.label, cidr: networks.cidr, projectId: networks.projectId, projectName: projects.name })
    .from(networks).innerJoin(projects, eq(projects.id, networks.projectId))
    .where(inArray(networks.projectId, projectIds)).orderBy(asc(networks.id));
  return { developer: true, networks: list };
}

/** The caller's own device; anyone else's does not exist for them (404, not 403). */
export async function ownDevice(q: Queryable, userId: string, deviceId: string, lock = false) {
  const query = q.select().from(devices).where(and(eq(devices.id, deviceId), eq(devices.userId, userId)));
  const [device] = lock ? await query.for('update') : await query;
  if (!device) throw notFound('Device');
  return device;
}

export type AddressRow = { deviceId: string; networkId: string; ip: string; cidr: string; label: string; projectId: string; projectName: string };

export async function addressesOf(q: Queryable, deviceIds: string[]): Promise<AddressRow[]> {
  if (deviceIds.length === 0) return [];
  return q.select({
    deviceId: deviceAddresses.deviceId, networkId: deviceAddresses.networkId, ip: deviceAddresses.ip,
    cidr: networks.cidr, label: networks.label, projectId: networks.projectId, projectName: projects.name,
  }).from(deviceAddresses)
    .innerJoin(networks, eq(networks.id, deviceAddresses.networkId))
    .innerJoin(projects, eq(projects.id, networks.projectId))
    .where(inArray(deviceAddresses.deviceId, deviceIds))
    .orderBy(asc(projects.name), asc(networks.label));
}

/** Every address of a user's devices: one query whose text does not depend on how many devices there are. */
export async function addressesOfUser(q: Queryable, userId: string): Promise<AddressRow[]> {
  return q.select({
    deviceId: deviceAddresses.deviceId, networkId: deviceAddresses.networkId, ip: deviceAddresses.ip,
    cidr: networks.cidr, label: networks.label, projectId: networks.projectId, projectName: projects.name,
  }).from(deviceAddresses)
    .innerJoin(devices, eq(devices.id, deviceAddresses.deviceId))
    .innerJoin(networks, eq(networks.id, deviceAddresses.networkId))
    .innerJoin(projects, eq(projects.id, networks.projectId))
    .where(eq(devices.userId, userId))
    .orderBy(asc(projects.name), asc(networks.label));
}

/** Enrolled hosts (a public key is known) of these networks, by network id. */
export async function hostsOf(q: Queryable, networkIds: string[]): Promise<Map<string, (HostRow & { peerId: string })[]>> {
  const out = new Map<string, (HostRow & { peerId: string })[]>(networkIds.map((id) => [id, []]));
  if (networkIds.length === 0) return out;
  const list = await q.select({ networkId: peers.networkId, peerId: peers.id, ip: peers.ip, publicKey: peers.publicKey, endpoint: peers.endpoint, isGateway: peers.isGateway, hostTokenHash: peers.hostTokenHash })
    .from(peers).where(and(inArray(peers.networkId, networkIds), isNotNull(peers.publicKey)));
  // Enrolled agents hold a host token; since the channel, an agent need not have an agentUrl.
  for (const { networkId, hostTokenHash, ...host } of list) out.get(networkId)?.push({ ...host, hasAgent: hostTokenHash !== null });
  return out;
}

/** One device's networks with their hosts: the input of assembleDeviceConfig. */
export async function deviceNetworks(q: Queryable, deviceId: string): Promise<(DeviceNetwork & { label: string })[]> {
  const addresses = await addressesOf(q, [deviceId]);
  const hosts = await hostsOf(q, addresses.map((a) => a.networkId));
  return addresses.map((a) => ({ networkId: a.networkId, label: a.label, cidr: a.cidr, deviceIp: a.ip, hosts: hosts.get(a.networkId) ?? [] }));
}

/**
 * A fingerprint of every row a user's devices list is read from (listDevices' cache check under
 * writes): the versions (xmin) of the user, their memberships and devices, the devices'
 * addresses, and the networks and projects those reach or hold; of the hosts in those
 * networks, only what a config takes from them (their counters and liveness change often and
 * are not in the list). One statement, computed in the database.
 *
 * Row versions alone suffice: a transaction that changes a row gives it a new version under its
 * own id, which no row had before it committed, so the versions of a table differ once any
 * of its rows changed, was added or went. Each table's versions are hashed whole
 * (hash_array_extended, 64 bits, no text made per row), in the order they are read: an order
 * that changes only costs a read. Hosts are sorted: their rows move at every counter update.
 */
export async function devicesListVersion(q: Queryable, userId: string): Promise<string> {
  const [{ version }] = await rows<{ version: string }>(q, sql`
    with addr as (select a.network_id, a.xmin from device_addresses a join devices d on d.id = a.device_id where d.user_id = ${userId}),
      mem as (select project_id, xmin from memberships where user_id = ${userId})
    select concat(
      (select xmin::text from users where id = ${userId}),
      '|', (select hash_array_extended(array_agg(xmin), 0) from devices where user_id = ${userId}),
      '|', (select hash_array_extended(array_agg(xmin), 0) from addr),
      '|', (select hash_array_extended(array_agg(xmin), 0) from mem),
      '|', (select hash_array_extended(array_agg(n.xmin), 0) || '.' || hash_array_extended(array_agg(p.xmin), 0) from networks n join projects p on p.id = n.project_id
        where n.project_id in (select project_id from mem) or n.id in (select network_id from addr)),
      '|', (select md5(string_agg(concat(id, ':', ip, ':', public_key, ':', coalesce(endpoint, '-'), ':', is_gateway, ':', host_token_hash is null), ',' order by id))
        from peers where network_id in (select network_id from addr) and public_key is not null)
    ) as version`);
  return version;
}
