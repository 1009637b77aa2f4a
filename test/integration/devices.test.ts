import { randomBytes } from 'node:crypto';
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';
import { versionOf } from './push-helpers';
import type { Principal } from '../../lib/server/auth/gate';
import { devices, deviceAddresses, ipAllocations, peers } from '../../lib/server/db/schema';
import { createProjectOp, addTeamMemberOp, changeRoleOp, removeTeamMemberOp } from '../../lib/server/projects/operations';
import { createNetworkOp } from '../../lib/server/networks/operations';
import { createMemberOp } from '../../lib/server/members/operations';
import {
  createDeviceOp, deleteDeviceOp, deviceConfigOp, listDevicesOp, listNetworkDevicesOp, markConfigGivenOp, regenerateDeviceOp,
} from '../../lib/server/devices/operations';
import { updatePeerOp } from '../../lib/server/peers/operations';
import { generateKeyPair } from '../../lib/core/wireguard/keys';

const t = useTestDb();
const key = () => generateKeyPair().publicKey;

/** An owner with a project, one network (a /16 from the pool unless a CIDR is given) and an external member. */
async function world(opts: { cidr?: string; instances?: number } = {}) {
  const ownerUser = await makeUser(t.db);
  const owner = principalOf(ownerUser);
  const project = await createProjectOp.execute(owner, { name: `devices ${randomInt(1e9)}` });
  const network = await createNetworkOp.execute(owner, { projectId: project.id, label: `net-${randomInt(1e9)}`, cidr: opts.cidr });
  const member = await createMemberOp.execute(owner, { networkId: network.id, kind: 'external', label: 'box', instances: opts.instances ?? 2 });
  return { ownerUser, owner, project, network, peers: member.peers };
}

async function join(owner: Principal, projectId: string, role: 'developer' | 'viewer' | 'admin') {
  const user = await makeUser(t.db);
  await addTeamMemberOp.execute(owner, { projectId, email: user.email, role });
  return { user, p: principalOf(user) };
}

const addressesOf = (deviceId: string) => t.db.select().from(deviceAddresses).where(eq(deviceAddresses.deviceId, deviceId));
const register = (owner: Principal, peerId: string, publicKey = key()) => updatePeerOp.execute(owner, { peerId, publicKey, endpoint: '203.0.113.7:51820' });

describe('adding a device', () => {
  it('takes addresses from the top of each network’s device block, top down, and bumps the version', async () => {
    const w = await world();
    const { p } = await join(w.owner, w.project.id, 'developer');
    const before = await versionOf(t.db, w.network.id);
    const base = w.network.cidr.split('.').slice(0, 2).join('.');
    const one = await createDeviceOp.execute(p, { name: 'laptop', publicKey: key() });
    const two = await createDeviceOp.execute(p, { name: 'Phone ', publicKey: key() });
    expect(one.addresses).toEqual([`${base}.255.254/32`]);
    expect(two).toMatchObject({ name: 'phone', addresses: [`${base}.255.253/32`] });
    expect(await versionOf(t.db, w.network.id)).toBe(before + 2);
    const owned = await createDeviceOp.execute(w.owner, { name: 'laptop', publicKey: key() }); // names are per user
    expect(owned.addresses).toEqual([`${base}.255.252/32`]);
  });

  it('joins every network of every project where the user is developer or higher, and nothing else', async () => {
    const a = await world();
    const b = await world();
    const c = await world();
    const { user, p } = await join(a.owner, a.project.id, 'developer');
    await addTeamMemberOp.execute(b.owner, { projectId: b.project.id, email: user.email, role: 'admin' });
    await addTeamMemberOp.execute(c.owner, { projectId: c.project.id, email: user.email, role: 'viewer' });
    const device = await createDeviceOp.execute(p, { name: 'laptop', publicKey: key() });
    const joined = (await addressesOf(device.id)).map((r) => r.networkId).sort();
    expect(joined).toEqual([a.network.id, b.network.id].sort());
  });

  it('hands out distinct addresses under concurrent requests', async () => {
    const w = await world();
    const users = await Promise.all([0, 1, 2, 3, 4].map(() => join(w.owner, w.project.id, 'developer')));
    const made = await Promise.all(users.map(({ p }) => createDeviceOp.execute(p, { name: 'laptop', publicKey: key() })));
    expect(new Set(made.map((d) => d.addresses[0])).size).toBe(5);
  });

  it('refuses bad input with the field it belongs to, changing nothing', async () => {
    const w = await world();
    const { user, p } = await join(w.owner, w.project.id, 'developer');
    await expect(createDeviceOp.execute(p, { name: 'laptop', publicKey: 'not-a-key' })).rejects.toMatchObject({ status: 400, field: 'publicKey' });
    await expect(createDeviceOp.execute(p, { name: 'my laptop', publicKey: key() })).rejects.toMatchObject({ status: 400, field: 'name' });
    await expect(createDeviceOp.execute(p, { name: '-x', publicKey: key() })).rejects.toMatchObject({ status: 400, field: 'name' });
    await createDeviceOp.execute(p, { name: 'laptop', publicKey: key() });
    const before = await versionOf(t.db, w.network.id);
    await expect(createDeviceOp.execute(p, { name: 'laptop', publicKey: key() })).rejects.toMatchObject({ status: 409, field: 'name' });
    expect(await versionOf(t.db, w.network.id)).toBe(before);
    expect(await t.db.select().from(devices).where(eq(devices.userId, user.id))).toHaveLength(1);
  });

  it('refuses a public key already used by any device or peer (409)', async () => {
    const w = await world();
    const { p } = await join(w.owner, w.project.id, 'developer');
    const hostKey = key();
    await register(w.owner, w.peers[0].id, hostKey);
    await expect(createDeviceOp.execute(p, { name: 'a', publicKey: hostKey })).rejects.toMatchObject({ status: 409, field: 'publicKey', code: 'duplicate_key' });
    const device = await createDeviceOp.execute(p, { name: 'b', publicKey: key() });
    const [row] = await t.db.select().from(devices).where(eq(devices.id, device.id));
    await expect(createDeviceOp.execute(w.owner, { name: 'c', publicKey: row.publicKey })).rejects.toMatchObject({ status: 409, field: 'publicKey' });
    await expect(register(w.owner, w.peers[1].id, row.publicKey)).rejects.toMatchObject({ status: 409, field: 'publicKey' });
    await expect(regenerateDeviceOp.execute(p, { deviceId: device.id, publicKey: hostKey })).rejects.toMatchObject({ status: 409 });
  });

  it('answers 409 naming the network when its device block is full, and changes nothing', async () => {
    // A random /28 of 100.64.0.0/10, where no other test makes networks (172.16/12 is shared).
    const cidr = `100.${64 + randomInt(64)}.${randomInt(256)}.${16 * randomInt(16)}/28`; // device block: top /30, 3 usable
    const w = await world({ cidr, instances: 1 });
    const { p } = await join(w.owner, w.project.id, 'developer');
    for (const name of ['a', 'b', 'c']) await createDeviceOp.execute(p, { name, publicKey: key() });
    const before = await versionOf(t.db, w.network.id);
    const error = await createDeviceOp.execute(p, { name: 'd', publicKey: key() }).catch((e) => e);
    expect(error).toMatchObject({ status: 409, code: 'network_full' });
    expect(error.message).toContain(w.network.label);
    expect(await versionOf(t.db, w.network.id)).toBe(before);
    expect((await listDevicesOp.execute(p, {})).items.map((d) => d.name)).toEqual(['a', 'b', 'c']);
  });

  it('is forbidden (403) to a user who is developer nowhere', async () => {
    const w = await world();
    const { p } = await join(w.owner, w.project.id, 'viewer');
    await expect(createDeviceOp.execute(p, { name: 'laptop', publicKey: key() })).rejects.toMatchObject({ status: 403 });
    const loner = principalOf(await makeUser(t.db));
    await expect(createDeviceOp.execute(loner, { name: 'laptop', publicKey: key() })).rejects.toMatchObject({ status: 403 });
    await expect(createDeviceOp.execute(null, { name: 'laptop', publicKey: key() })).rejects.toMatchObject({ status: 401 });
  });
});

describe('what a device is given, and when it goes out of date', () => {
  it('lists enrolled hosts only, flips stale when one enrols, and Regenerate brings it back', async () => {
    const w = await world();
    const { p } = await join(w.owner, w.project.id, 'developer');
    const device = await createDeviceOp.execute(p, { name: 'laptop', publicKey: key() });
    expect(device.peers).toEqual([]);
    expect((await deviceConfigOp.execute(p, { deviceId: device.id })).stale).toBe(false);
    await createMemberOp.execute(w.owner, { networkId: w.network.id, kind: 'addon', label: 'db' }); // added, not enrolled
    expect((await deviceConfigOp.execute(p, { deviceId: device.id })).stale).toBe(false);
    const hostKey = key();
    await register(w.owner, w.peers[0].id, hostKey);
    const now = await deviceConfigOp.execute(p, { deviceId: device.id });
    expect(now.stale).toBe(true);
    expect(now.peers).toEqual([{ publicKey: hostKey, endpoint: '203.0.113.7:51820', allowedIps: [`${w.peers[0].ip}/32`] }]);
    expect((await listDevicesOp.execute(p, {})).items[0].stale).toBe(true);

    const before = await versionOf(t.db, w.network.id);
    const newKey = key();
    const fresh = await regenerateDeviceOp.execute(p, { deviceId: device.id, publicKey: newKey });
    expect(fresh).toMatchObject({ id: device.id, addresses: device.addresses, peers: now.peers });
    expect(await versionOf(t.db, w.network.id)).toBe(before + 1);
    const [row] = await t.db.select().from(devices).where(eq(devices.id, device.id));
    expect(row.publicKey).toBe(newKey);
    expect((await deviceConfigOp.execute(p, { deviceId: device.id })).stale).toBe(false);
  });

  it('lists only the gateway, with the whole CIDR, once there is one (one gateway per network)', async () => {
    const w = await world();
    const { p } = await join(w.owner, w.project.id, 'developer');
    const [k0, k1] = [key(), key()];
    await register(w.owner, w.peers[0].id, k0);
    await register(w.owner, w.peers[1].id, k1);
    await updatePeerOp.execute(w.owner, { peerId: w.peers[0].id, gateway: true });
    await updatePeerOp.execute(w.owner, { peerId: w.peers[1].id, gateway: true });
    const gateways = await t.db.select().from(peers).where(and(eq(peers.networkId, w.network.id), eq(peers.isGateway, true)));
    expect(gateways.map((g) => g.id)).toEqual([w.peers[1].id]);
    const device = await createDeviceOp.execute(p, { name: 'phone', publicKey: key() });
    expect(device.peers).toEqual([{ publicKey: k1, endpoint: '203.0.113.7:51820', allowedIps: [w.network.cidr] }]);
  });

  it('shows a network created since as missing (out of date); Regenerate joins it', async () => {
    const w = await world();
    const { p } = await join(w.owner, w.project.id, 'developer');
    const device = await createDeviceOp.execute(p, { name: 'laptop', publicKey: key() });
    const later = await createNetworkOp.execute(w.owner, { projectId: w.project.id, label: 'later' });
    const [item] = (await listDevicesOp.execute(p, {})).items;
    expect(item).toMatchObject({ stale: true, missingNetworks: [{ networkId: later.id, networkLabel: 'later' }] });
    const fresh = await regenerateDeviceOp.execute(p, { deviceId: device.id, publicKey: key() });
    expect(fresh.addresses).toHaveLength(2);
    expect((await listDevicesOp.execute(p, {})).items[0]).toMatchObject({ stale: false, missingNetworks: [] });
  });

  it('does not block a role change when a network has no device address left', async () => {
    // A random /28 of 100.64.0.0/10, where no other test makes networks (172.16/12 is shared).
    const cidr = `100.${64 + randomInt(64)}.${randomInt(256)}.${16 * randomInt(16)}/28`;
    const w = await world({ cidr, instances: 1 });
    const { p } = await join(w.owner, w.project.id, 'developer');
    for (const name of ['a', 'b', 'c']) await createDeviceOp.execute(p, { name, publicKey: key() });
    const other = await world();
    const { user, p: q } = await join(other.owner, other.project.id, 'developer');
    const device = await createDeviceOp.execute(q, { name: 'laptop', publicKey: key() });
    await addTeamMemberOp.execute(w.owner, { projectId: w.project.id, email: user.email, role: 'developer' });
    expect(await addressesOf(device.id)).toHaveLength(1);
    expect((await listDevicesOp.execute(q, {})).items[0]).toMatchObject({ stale: true, missingNetworks: [{ networkId: w.network.id }] });
    const error = await regenerateDeviceOp.execute(q, { deviceId: device.id, publicKey: key() }).catch((e) => e);
    expect(error).toMatchObject({ status: 409, code: 'network_full' });
    expect(error.message).toContain(w.network.label);
  });

  it('lets an API client record the config it applied', async () => {
    const w = await world();
    const { p } = await join(w.owner, w.project.id, 'developer');
    const device = await createDeviceOp.execute(p, { name: 'ci', publicKey: key() });
    await register(w.owner, w.peers[0].id);
    const now = await deviceConfigOp.execute(p, { deviceId: device.id });
    expect((await markConfigGivenOp.execute(p, { deviceId: device.id, hash: now.hash })).stale).toBe(false);
  });
});

describe('revocation', () => {
  it('delete releases the addresses and bumps the version; others’ devices are 404', async () => {
    const w = await world();
    const { p } = await join(w.owner, w.project.id, 'developer');
    const device = await createDeviceOp.execute(p, { name: 'laptop', publicKey: key() });
    await expect(deleteDeviceOp.execute(w.owner, { deviceId: device.id })).rejects.toMatchObject({ status: 404 });
    await expect(deviceConfigOp.execute(w.owner, { deviceId: device.id })).rejects.toMatchObject({ status: 404 });
    const before = await versionOf(t.db, w.network.id);
    await deleteDeviceOp.execute(p, { deviceId: device.id });
    expect(await versionOf(t.db, w.network.id)).toBe(before + 1);
    const [alloc] = await t.db.select().from(ipAllocations).where(and(eq(ipAllocations.networkId, w.network.id), eq(ipAllocations.ip, device.addresses[0].split('/')[0])));
    expect(alloc).toMatchObject({ ownerId: null });
    expect(alloc.releasedAt).not.toBeNull();
  });

  it('lowering below developer or removal takes the addresses in that project only; raising gives them back', async () => {
    const a = await world();
    const b = await world();
    const { user, p } = await join(a.owner, a.project.id, 'developer');
    await addTeamMemberOp.execute(b.owner, { projectId: b.project.id, email: user.email, role: 'developer' });
    const device = await createDeviceOp.execute(p, { name: 'laptop', publicKey: key() });
    expect(await addressesOf(device.id)).toHaveLength(2);

    const before = await versionOf(t.db, a.network.id);
    await changeRoleOp.execute(a.owner, { projectId: a.project.id, userId: user.id, role: 'viewer' });
    expect((await addressesOf(device.id)).map((r) => r.networkId)).toEqual([b.network.id]);
    expect(await versionOf(t.db, a.network.id)).toBe(before + 1);
    expect((await listNetworkDevicesOp.execute(a.owner, { networkId: a.network.id }))).toEqual([]);

    // Raised again: the existing device joins, and shows as out of date until regenerated.
    await changeRoleOp.execute(a.owner, { projectId: a.project.id, userId: user.id, role: 'developer' });
    expect(await addressesOf(device.id)).toHaveLength(2);
    expect((await deviceConfigOp.execute(p, { deviceId: device.id })).stale).toBe(true);

    await removeTeamMemberOp.execute(b.owner, { projectId: b.project.id, userId: user.id });
    expect((await addressesOf(device.id)).map((r) => r.networkId)).toEqual([a.network.id]);
  });
});

describe('the network page’s device rows', () => {
  it('name the owner, the device, its IP and its DNS name', async () => {
    const w = await world();
    const { user, p } = await join(w.owner, w.project.id, 'developer');
    const device = await createDeviceOp.execute(p, { name: 'laptop', publicKey: key() });
    const rows = await listNetworkDevicesOp.execute(w.owner, { networkId: w.network.id });
    expect(rows).toEqual([expect.objectContaining({
      id: device.id, name: 'laptop', ownerEmail: user.email, ownerHandle: user.handle, ip: device.addresses[0].split('/')[0],
      dnsName: `laptop.${user.handle}.dev.${w.network.id}.mesh.internal`,
    })]);
  });

  it('refuses to register a key on a host the agent runs', async () => {
    const w = await world();
    // What enrolment leaves on a host: its key and a host token (an agent on the channel needs no agentUrl).
    await t.db.update(peers).set({ hostTokenHash: randomBytes(32).toString('hex'), publicKey: key() }).where(eq(peers.id, w.peers[0].id));
    await expect(register(w.owner, w.peers[0].id)).rejects.toMatchObject({ status: 409, code: 'agent_managed' });
    const { p } = await join(w.owner, w.project.id, 'developer');
    await expect(register(p, w.peers[1].id)).rejects.toMatchObject({ status: 403 });
  });
});
