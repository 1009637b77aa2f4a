/**
 * GET /api/v1/devices costs the same queries, with the same texts, whether the caller has 10
 * devices or 200 (issue 19): addresses are read by owner, not by a list of device ids, and
 * nothing is read per device; after a write elsewhere, the list is not read again at all. Counted
 * at the driver, as in query-count.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Principal } from '@/lib/server/auth/gate';
import { addTeamMemberOp, createProjectOp } from '@/lib/server/projects/operations';
import { createNetworkOp } from '@/lib/server/networks/operations';
import { createMemberOp } from '@/lib/server/members/operations';
import { createDeviceOp, listDevicesOp } from '@/lib/server/devices/operations';
import { updatePeerOp } from '@/lib/server/peers/operations';
import { generateKeyPair } from '@/lib/core/wireguard/keys';
import { rawTestDb, useTestDb } from './db';
import { makeUser, principalOf } from './factories';

describe('the devices list does not grow in queries with the devices', () => {
  const t = useTestDb();
  const texts: string[] = [];
  const { db: counted, close } = rawTestDb({ onQuery: (q) => { texts.push(q); } });
  afterAll(close);
  const users: Record<'few' | 'many', Principal> = {} as never;

  beforeAll(async () => {
    const owner = principalOf(await makeUser(t.db));
    const { id: projectId } = await createProjectOp.execute(owner, { name: 'devices n+1' });
    const { id: networkId } = await createNetworkOp.execute(owner, { projectId, label: 'devices' });
    const member = await createMemberOp.execute(owner, { networkId, kind: 'external', label: 'box', instances: 3 });
    for (const peer of member.peers) await updatePeerOp.execute(owner, { peerId: peer.id, publicKey: generateKeyPair().publicKey, endpoint: '203.0.113.7:51820' });
    for (const [name, count] of [['few', 10], ['many', 200]] as const) {
      const user = await makeUser(t.db);
      await addTeamMemberOp.execute(owner, { projectId, email: user.email, role: 'developer' });
      users[name] = principalOf(user);
      for (let i = 0; i < count; i++) await createDeviceOp.execute(users[name], { name: `d${i}`, publicKey: generateKeyPair().publicKey });
    }
  }, 120_000);

  async function listQueries(who: Principal, write = sql`update devices set last_handshake_at = now() where user_id = ${who.userId}`) {
    // Moves the snapshot on: cached reads miss, every query is counted. By default a write to
    // the caller's devices, so that the list is read again.
    await t.db.execute(write);
    const from = texts.length;
    const list = await listDevicesOp.execute(who, {}, { db: counted, ip: '127.0.0.1' });
    return { texts: texts.slice(from), list };
  }

  it('sends the same queries for 10 devices and for 200', async () => {
    await listQueries(users.few); // warms the connection (type lookups)
    const few = await listQueries(users.few);
    const many = await listQueries(users.many);
    expect(few.list.items).toHaveLength(10);
    expect(many.list.items).toHaveLength(200);
    expect(many.list.items.every((d) => !d.stale && d.addresses.length === 1 && d.networks[0].reachable)).toBe(true);
    expect(many.texts.length).toBe(few.texts.length);
    expect(many.texts).toEqual(few.texts);
    expect(few.texts.length).toBeLessThan(12);
  });

  it('after a write that changes none of the list\'s rows, checks their versions in one query and reads nothing else', async () => {
    await listQueries(users.many);
    const { texts: check, list } = await listQueries(users.many, sql`select pg_current_xact_id()`);
    expect(list.items).toHaveLength(200);
    expect(check).toHaveLength(2); // the snapshot reading, and the rows' versions
    expect(check[1]).toContain('md5(');
  });
});
