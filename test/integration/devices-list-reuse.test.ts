/**
 * The devices list under writes (issue 19): after a write that changes none of the rows it is
 * read from, the list is kept whole (their versions checked); after one that does, a device
 * whose rows, networks and hosts did not change keeps the item (and JSON) built before, while
 * any change to what an item shows rebuilds it. The answer's bytes are always exactly
 * JSON.stringify of the answer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Principal } from '@/lib/server/auth/gate';
import { addTeamMemberOp, changeRoleOp, createProjectOp, renameProjectOp } from '@/lib/server/projects/operations';
import { createNetworkOp, updateNetworkOp } from '@/lib/server/networks/operations';
import { createMemberOp } from '@/lib/server/members/operations';
import { createDeviceOp, listDevicesOp } from '@/lib/server/devices/operations';
import { updatePeerOp } from '@/lib/server/peers/operations';
import { generateKeyPair } from '@/lib/core/wireguard/keys';
import { jsonOf } from '@/lib/server/http/frozen-json';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';

describe('the devices list rebuilds only the devices that changed', () => {
  const t = useTestDb();
  let owner: Principal;
  let developer: Principal;
  let projectId: string;
  let networkId: string;
  let hostIds: string[];

  beforeAll(async () => {
    owner = principalOf(await makeUser(t.db));
    ({ id: projectId } = await createProjectOp.execute(owner, { name: 'reuse' }));
    ({ id: networkId } = await createNetworkOp.execute(owner, { projectId, label: 'reuse' }));
    const member = await createMemberOp.execute(owner, { networkId, kind: 'external', label: 'box', instances: 2 });
    hostIds = member.peers.map((p) => p.id);
    for (const id of hostIds) await updatePeerOp.execute(owner, { peerId: id, publicKey: generateKeyPair().publicKey, endpoint: '203.0.113.7:51820' });
    const user = await makeUser(t.db);
    await addTeamMemberOp.execute(owner, { projectId, email: user.email, role: 'developer' });
    developer = principalOf(user);
    for (const name of ['alpha', 'beta', 'gamma']) await createDeviceOp.execute(developer, { name, publicKey: generateKeyPair().publicKey });
  });

  /** The list after a write (the snapshot cache misses), checked to be encoded exactly. */
  async function listAfterWrite() {
    await t.db.execute(sql`select pg_current_xact_id()`);
    const list = await listDevicesOp.execute(developer, {}, { db: t.db, ip: '127.0.0.1' });
    expect(jsonOf(list).toString('utf8')).toBe(JSON.stringify(list));
    return list;
  }

  it('keeps the list through writes that change none of its rows, and rebuilds only the device that changed', async () => {
    const first = await listAfterWrite();
    expect(first.items.map((d) => [d.name, d.stale])).toEqual([['alpha', false], ['beta', false], ['gamma', false]]);
    expect(await listAfterWrite()).toBe(first); // the database's snapshot moved on, the list's rows did not
    await t.db.execute(sql`update peers set rx_bytes = rx_bytes + 1, last_seen_at = now() where id = ${hostIds[0]}`);
    const second = await listAfterWrite();
    expect(second).toBe(first); // a host's counters and liveness are not in the list

    const handshake = new Date('2026-12-01T10:00:00.000Z');
    await t.db.execute(sql`update devices set last_handshake_at = ${handshake.toISOString()} where name = 'beta' and user_id = ${developer.userId}`);
    const third = await listAfterWrite();
    expect(third).not.toBe(second);
    expect(third.items[0]).toBe(second.items[0]);
    expect(third.items[1]).not.toBe(second.items[1]);
    expect(third.items[1].lastHandshakeAt).toEqual(handshake);
    expect(third.items[2]).toBe(second.items[2]);
  });

  it('rebuilds every item of a network whose hosts or label changed, and says the configs are stale', async () => {
    const before = await listAfterWrite();
    await updatePeerOp.execute(owner, { peerId: hostIds[0], endpoint: '203.0.113.8:51820' });
    const moved = await listAfterWrite();
    moved.items.forEach((item, i) => {
      expect(item).not.toBe(before.items[i]);
      expect(item.stale).toBe(true);
      expect(item.changes.length).toBeGreaterThan(0);
    });
    // Stale items say what changed since the config they were given, which their inputs
    // leave out: when the list is read again, they are built again.
    await t.db.execute(sql`update devices set last_handshake_at = now() where name = 'alpha' and user_id = ${developer.userId}`);
    const again = await listAfterWrite();
    again.items.forEach((item, i) => {
      expect(item).not.toBe(moved.items[i]);
      expect({ ...item, lastHandshakeAt: null }).toEqual({ ...moved.items[i], lastHandshakeAt: null });
    });

    await updateNetworkOp.execute(owner, { networkId, label: 'renamed' });
    const renamed = await listAfterWrite();
    expect(renamed.items.every((d) => d.addresses[0].networkLabel === 'renamed')).toBe(true);
  });

  it('rebuilds every item when the user can reach a new network', async () => {
    const before = await listAfterWrite();
    await createNetworkOp.execute(owner, { projectId, label: 'second' });
    const after = await listAfterWrite();
    after.items.forEach((item, i) => {
      expect(item).not.toBe(before.items[i]);
      expect(item.missingNetworks.map((n) => n.networkLabel)).toEqual(['second']);
      expect(item.stale).toBe(true);
    });
    expect(after.canAddDevices).toBe(true);
  });

  it('follows the project\'s name and the caller\'s role', async () => {
    await renameProjectOp.execute(owner, { projectId, name: 'reuse-renamed' });
    expect((await listAfterWrite()).items.every((d) => d.addresses[0].projectName === 'reuse-renamed')).toBe(true);
    await changeRoleOp.execute(owner, { projectId, userId: developer.userId, role: 'viewer' });
    const demoted = await listAfterWrite();
    expect(demoted.canAddDevices).toBe(false);
    expect(demoted.networks).toEqual([]);
    await changeRoleOp.execute(owner, { projectId, userId: developer.userId, role: 'developer' });
    const promoted = await listAfterWrite(); // nothing but the membership's role changed
    expect(promoted.canAddDevices).toBe(true);
    expect(promoted.networks.map((n) => n.networkLabel).sort()).toEqual(['renamed', 'second']);
  });
});
