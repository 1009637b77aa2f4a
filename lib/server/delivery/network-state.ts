import { eq, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client';
import { deviceAddresses, devices, members, networks, peers, users } from '../db/schema';
import { env } from '../env';
import { deviceName, memberNames, type MemberKind } from '../../core/names';
import { deviceBlock } from '../../core/addressing';
import { allowListOf } from '../firewall/allow-list';
import { documentPolicy } from '../policy/rules';
import {
  type DeviceEntry, type HostEntry, type NetworkState, endpointSchema, networkStateSchema, normalizeState, wgKeySchema,
} from '../../core/protocol/network-state';

/*
 * The network document at its current version, read in one repeatable-read snapshot so the
 * version and the contents belong together (a change committing meanwhile is the next
 * version's business). A fixed number of queries whatever the size of the network.
 */

const hostIp = (column: typeof peers.ip | typeof deviceAddresses.ip) => sql<string>`host(${column})`;

export async function buildNetworkState(db: Db, networkId: string, now: Date): Promise<NetworkState | null> {
  return db.transaction((tx) => readState(tx, networkId, now), { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

async function readState(q: Queryable, networkId: string, now: Date): Promise<NetworkState | null> {
  const [network] = await q.select({ id: networks.id, cidr: networks.cidr, listenPort: networks.listenPort, version: networks.configVersion, policyMode: networks.policyMode })
    .from(networks).where(eq(networks.id, networkId));
  if (!network) return null;
  const zone = env().MESHPLANE_DNS_ZONE;
  const [hostRows, deviceRows, allow] = await Promise.all([
    q.select({
      peerId: peers.id, memberId: peers.memberId, kind: members.kind, process: peers.process, number: peers.number,
      ip: hostIp(peers.ip), publicKey: peers.publicKey, endpoint: peers.endpoint, gateway: peers.isGateway, tags: members.tags,
      seenFrom: sql<string | null>`host(${peers.seenFrom})`,
    }).from(peers).innerJoin(members, eq(members.id, peers.memberId)).where(eq(peers.networkId, networkId)),
    q.select({ id: devices.id, publicKey: devices.publicKey, ip: hostIp(deviceAddresses.ip), name: devices.name, handle: users.handle })
      .from(deviceAddresses).innerJoin(devices, eq(devices.id, deviceAddresses.deviceId)).innerJoin(users, eq(users.id, devices.userId))
      .where(eq(deviceAddresses.networkId, networkId)),
    allowListOf(q, networkId, now),
  ]);
  // Only an isolated network carries its policy: an open one filters nothing, so its
  // document stays what it was before policies existed.
  const policy = network.policyMode === 'isolated' ? await documentPolicy(q, networkId, network.policyMode, network.cidr, hostRows) : undefined;
  const hosts = hostRows.map(({ tags: _tags, seenFrom, ...h }): HostEntry => ({
    ...h,
    names: memberNames({ zone, networkId, memberId: h.memberId, kind: h.kind as MemberKind, process: h.kind === 'application' ? h.process : null, number: h.number }),
    // Keys and endpoints are checked on the way in; one that slipped through must not stop
    // the whole network's pushes (the agent refuses a document with a bad one), so it is left out.
    publicKey: h.publicKey && wgKeySchema.safeParse(h.publicKey).success ? h.publicKey : null,
    endpoint: h.endpoint && endpointSchema.safeParse(h.endpoint).success ? h.endpoint : null,
    // Only a host without an endpoint is admitted by where it was seen (lib/core/protocol/host-config.ts).
    ...(seenFrom && !h.endpoint && h.publicKey ? { seenFrom } : {}),
  }));
  const deviceList = deviceRows
    .filter((d) => wgKeySchema.safeParse(d.publicKey).success)
    .map((d): DeviceEntry => ({ id: d.id, publicKey: d.publicKey, ip: d.ip, name: deviceName({ zone, networkId, deviceName: d.name, userHandle: d.handle }) }));
  const state = normalizeState({
    networkId, version: network.version, cidr: network.cidr, listenPort: network.listenPort, zone,
    deviceBlock: deviceBlock(network.cidr), hosts, devices: deviceList, allow, ...(policy ? { policy } : {}),
  });
  const checked = networkStateSchema.safeParse(state);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new Error(`network ${networkId} version ${network.version} makes an invalid document: ${issue?.path.join('.')} ${issue?.message}`);
  }
  return state;
}
