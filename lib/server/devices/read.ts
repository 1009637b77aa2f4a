import { createHash } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { deviceAddresses, devices, users } from '../db/schema';
import { notFound } from '../errors';
import { SnapshotCache } from '../db/snapshot-cache';
import { env } from '../env';
import { deviceName as dnsNameOf } from '../../core/names';
import { prefixLength } from '../../core/addressing';
import { assembleDeviceConfig, networkReach } from '../../core/devices/device-config';
import { configChanges } from '../../core/devices/config-changes';
import { configHash, isStale } from '../../core/devices/config-hash';
import { configSets } from '../../core/devices/config-sets';
import { addressesOfUser, deviceNetworks, devicesListVersion, hostsOf, ownDevice, reachableNetworks, type AddressRow } from './queries';
import type { ConfigBody, CurrentDeviceConfig, NetworkReach } from '../../core/devices/types';
import { keepJson } from '../http/frozen-json';
import type { NetworkLabel } from '../../core/devices/config-changes';

/**
 * The caller's devices, each with its address and DNS name per network and whether its
 * config is out of date; `networks` is where a new device would get an address.
 */
export function listDevices(db: Db, userId: string): Promise<DeviceList> {
  return listCache.get(db, userId, () => readDevices(db, userId), (list) => list.items.length, () => devicesListVersion(db, userId));
}

/** Frozen all the way down: shared by every request that hits, and the API encodes a frozen answer once (lib/server/http/frozen-json.ts). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/*
 * Polled by API clients and reloaded by "My access": while the database's snapshot is the same
 * (nothing written anywhere), the list is what readDevices would answer (SnapshotCache). Weight:
 * devices, about 0.7 KB each in memory and as JSON. Callers must not change the value.
 */
const listCache = new SnapshotCache<DeviceList>({ maxEntries: 200, maxWeight: 20_000 });
type DeviceList = Awaited<ReturnType<typeof readDevices>>;

/*
 * Most writes change none of the list's rows (push results, hosts' counters): the cache's
 * version check (devicesListVersion) then keeps the list. When some do (a device's handshake),
 * the list is read again, but each device's item is kept with the inputs it was built from and
 * its JSON: a device whose inputs are the same is neither rebuilt, hashed nor encoded again
 * (issue 19: 1,000 devices, about 14 → 8 ms a read). Stale items are always rebuilt: what they
 * say changed comes from the config they were given, which the inputs leave out. Bounded like
 * the list cache: the most recent users, 20,000 devices in all.
 */
type Built = { inputs: string; item: DeviceListItem; json: Buffer };
const builtItems = new Map<string, Map<string, Built>>();
const builtLimit = { users: 200, devices: 20_000 };
let builtDevices = 0;

function keepBuilt(userId: string, items: Map<string, Built>) {
  builtDevices -= builtItems.get(userId)?.size ?? 0;
  builtItems.delete(userId);
  builtItems.set(userId, items);
  builtDevices += items.size;
  for (const [oldest, list] of builtItems) {
    if (builtItems.size <= builtLimit.users && builtDevices <= builtLimit.devices) break;
    builtItems.delete(oldest);
    builtDevices -= list.size;
  }
}

const fingerprint = (text: string) => createHash('sha256').update(text).digest('base64');
const comma = Buffer.from(',');

async function readDevices(db: Db, userId: string) {
  const [user] = await db.select({ handle: users.handle }).from(users).where(eq(users.id, userId));
  if (!user) throw notFound('User');
  // The configs devices were last given are read only when some device is stale (to say what
  // changed): for 1,000 devices they are most of the bytes the database sends.
  const owned = await db.select({
    id: devices.id, name: devices.name, publicKey: devices.publicKey, createdAt: devices.createdAt,
    lastGivenHash: devices.lastGivenHash, lastHandshakeAt: devices.lastHandshakeAt,
  }).from(devices).where(eq(devices.userId, userId)).orderBy(asc(devices.name));
  const reach = await reachableNetworks(db, userId);
  const addresses = await addressesOfUser(db, userId);
  const hosts = await hostsOf(db, [...new Set(addresses.map((a) => a.networkId))]);
  const zone = env().MESHPLANE_DNS_ZONE;
  // Linear in the devices (issue 19): addresses grouped once, per-network parts built once.
  const byDevice = new Map<string, AddressRow[]>();
  for (const a of addresses) {
    const list = byDevice.get(a.deviceId);
    if (list) list.push(a); else byDevice.set(a.deviceId, [a]);
  }
  // What every item depends on besides its own rows: the owner's handle, the DNS zone, the
  // reachable networks (missingNetworks), and per network its hosts (the config's peers).
  const shared = fingerprint(JSON.stringify([user.handle, zone, reach.networks]));
  const hostPrints = new Map([...hosts].map(([networkId, list]) => [networkId, fingerprint(JSON.stringify(list))]));
  const before = builtItems.get(userId);
  const configOf = configSets();
  const states = owned.map((device) => {
    const mine = byDevice.get(device.id) ?? [];
    // NUL between fields: PostgreSQL text cannot hold it, so no two different inputs read alike.
    let inputs = `${shared}\0${device.id}\0${device.name}\0${device.publicKey}\0${device.createdAt.getTime()}\0${device.lastGivenHash}\0${device.lastHandshakeAt?.getTime()}`;
    for (const a of mine) inputs += `\0${a.networkId}\0${a.ip}\0${a.cidr}\0${a.label}\0${a.projectId}\0${a.projectName}\0${hostPrints.get(a.networkId)}`;
    const known = before?.get(device.id);
    if (known?.inputs === inputs) return { known };
    const nets = mine.map((a) => ({ networkId: a.networkId, label: a.label, cidr: a.cidr, deviceIp: a.ip, hosts: hosts.get(a.networkId) ?? [] }));
    const { body, hash, reach: networks } = configOf(nets);
    const held = new Set(mine.map((a) => a.networkId));
    const missing = reach.networks.filter((n) => !held.has(n.id));
    return { fresh: { inputs, device, mine, nets, body, networks, missing, stale: isStale(device.lastGivenHash, hash, missing.length) } };
  });
  // One query, the same text however many are stale.
  const given = states.some((s) => s.fresh?.stale)
    ? new Map((await db.select({ id: devices.id, config: devices.lastGivenConfig }).from(devices).where(eq(devices.userId, userId))).map((d) => [d.id, d.config]))
    : new Map<string, ConfigBody | null>();
  const now = new Map<string, Built>();
  const built = states.map(({ known, fresh }) => {
    if (known) {
      now.set(known.item.id, known);
      return known;
    }
    const { inputs, device, mine, nets, body, networks, missing, stale } = fresh!;
    // satisfies: a field added here and not to DeviceListItem is an error, not a silent drift.
    const item = deepFreeze({
      id: device.id, name: device.name, publicKey: device.publicKey, createdAt: device.createdAt,
      addresses: mine.map((a) => presentAddress(a, device.name, user.handle, zone)),
      missingNetworks: missing.map((n) => ({ networkId: n.id, networkLabel: n.label, projectName: n.projectName })),
      stale,
      changes: stale ? changesOf(given.get(device.id) ?? null, body, nets, missing.map((n) => n.label)) : [],
      networks,
      lastHandshakeAt: device.lastHandshakeAt,
    } satisfies DeviceListItem);
    const entry = { inputs, item, json: Buffer.from(JSON.stringify(item)) };
    if (!stale) now.set(device.id, entry);
    return entry;
  });
  keepBuilt(userId, now);
  const list = deepFreeze({
    items: built.map((b) => b.item),
    canAddDevices: reach.developer,
    networks: reach.networks.map((n) => ({ networkId: n.id, networkLabel: n.label, projectId: n.projectId, projectName: n.projectName })),
  });
  // JSON.stringify(list), from the items' JSON: the keys in the object's order.
  const tail = JSON.stringify({ canAddDevices: list.canAddDevices, networks: list.networks });
  const parts = built.flatMap((b, i) => (i === 0 ? [b.json] : [comma, b.json]));
  return keepJson(list, Buffer.concat([Buffer.from('{"items":['), ...parts, Buffer.from(`],${tail.slice(1)}`)]));
}

function presentAddress(a: AddressRow, device: string, handle: string, zone: string) {
  return {
    networkId: a.networkId, networkLabel: a.label, projectId: a.projectId, projectName: a.projectName,
    ip: a.ip, address: `${a.ip}/${prefixLength(a.cidr)}`,
    dnsName: dnsNameOf({ zone, networkId: a.networkId, deviceName: device, userHandle: handle }),
  };
}
export type DeviceListItem = {
  id: string; name: string; publicKey: string; createdAt: Date;
  addresses: ReturnType<typeof presentAddress>[];
  missingNetworks: { networkId: string; networkLabel: string; projectName: string }[];
  stale: boolean; changes: string[]; networks: NetworkReach[]; lastHandshakeAt: Date | null;
};

/** GET /devices/{id}/config: the config as of now (without the private key) and `stale`. */
export async function currentDeviceConfig(db: Db, userId: string, deviceId: string): Promise<CurrentDeviceConfig> {
  const device = await ownDevice(db, userId, deviceId);
  const networks = await deviceNetworks(db, device.id);
  const body = assembleDeviceConfig(networks);
  const reach = await reachableNetworks(db, userId);
  const missing = reach.networks.filter((n) => !networks.some((held) => held.networkId === n.id));
  const hash = configHash(body);
  const stale = isStale(device.lastGivenHash, hash, missing.length);
  return {
    id: device.id, name: device.name, ...body, stale,
    changes: stale ? changesOf(device.lastGivenConfig, body, networks, missing.map((n) => n.label)) : [],
    hash, networks: networks.map(networkReach),
  };
}

/** What changed, or, when the given config is not known, that something did. */
function changesOf(given: ConfigBody | null, now: ConfigBody, networks: NetworkLabel[], missing: string[]): string[] {
  const said = configChanges(given, now, networks, missing);
  return said.length ? said : ['The config changed since this device was given it.'];
}

/**
 * For API clients that keep their private key and apply a fresh config themselves: records
 * the config they applied (its `hash` from GET …/config) as what the device was given.
 */
export async function markConfigGiven(db: Db, userId: string, deviceId: string, hash: string) {
  // Guarded by owner: anyone else's device does not exist for the caller (404), as in ownDevice.
  // The body is kept when the hash is today's, so later changes can be said precisely.
  const now = assembleDeviceConfig(await deviceNetworks(db, deviceId));
  const [marked] = await db.update(devices).set({ lastGivenHash: hash, lastGivenConfig: configHash(now) === hash ? now : null })
    .where(and(eq(devices.id, deviceId), eq(devices.userId, userId))).returning({ id: devices.id });
  if (!marked) throw notFound('Device');
  return currentDeviceConfig(db, userId, deviceId);
}

/** Devices in one network, for its page: owner, device, IP and DNS name, in address order. */
export async function listNetworkDevices(db: Db, networkId: string) {
  const zone = env().MESHPLANE_DNS_ZONE;
  const list = await db.select({
    id: devices.id, name: devices.name, ip: deviceAddresses.ip, ownerEmail: users.email, ownerHandle: users.handle, publicKey: devices.publicKey,
    lastHandshakeAt: devices.lastHandshakeAt,
  }).from(deviceAddresses)
    .innerJoin(devices, eq(devices.id, deviceAddresses.deviceId))
    .innerJoin(users, eq(users.id, devices.userId))
    .where(eq(deviceAddresses.networkId, networkId))
    .orderBy(asc(deviceAddresses.ip));
  return list.map((d) => ({ ...d, dnsName: dnsNameOf({ zone, networkId, deviceName: d.name, userHandle: d.ownerHandle }) }));
}
