/**
 * The peers page cache (SnapshotCache) is never stale: a write of any kind between two
 * reads is seen, a transaction's own uncommitted rows never reach other callers, and a
 * value read while something commits is not reused once it has.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Db } from '@/lib/server/db/client';
import { SnapshotCache, readingOnce } from '@/lib/server/db/snapshot-cache';
import { createApiToken, principalFromToken, revokeApiToken } from '@/lib/server/tokens/api-tokens';
import { changeRoleOp, addTeamMemberOp } from '@/lib/server/projects/operations';
import { getNetworkOp } from '@/lib/server/networks/operations';
import type { Principal } from '@/lib/server/auth/gate';
import { createProjectOp } from '@/lib/server/projects/operations';
import { createNetworkOp } from '@/lib/server/networks/operations';
import { createMemberOp, scaleMemberOp, updateMemberOp } from '@/lib/server/members/operations';
import { listPeersOp } from '@/lib/server/peers/operations';
import { listPeers } from '@/lib/server/peers/peers';
import { rawTestDb, useTestDb } from './db';
import { expectAppError, makeUser, principalOf } from './factories';

describe('reads cached under a database snapshot', () => {
  const t = useTestDb();
  let other: Awaited<ReturnType<typeof openDatabase>>;
  let owner: Principal;
  let projectId: string;
  let networkId: string;
  let memberId: string;

  beforeAll(async () => {
    other = await openDatabase(inject('testDatabaseUrl'));
    owner = principalOf(await makeUser(t.db));
    ({ id: projectId } = await createProjectOp.execute(owner, { name: 'cache' }));
    ({ id: networkId } = await createNetworkOp.execute(owner, { projectId, label: 'cache', cidr: '172.30.2.0/24' }));
    ({ id: memberId } = await createMemberOp.execute(owner, { networkId, kind: 'addon', label: 'db', instances: 3 }));
  });
  afterAll(() => other.close());

  const page = () => listPeersOp.execute(owner, { networkId, limit: 100 });

  it('answers repeated reads of a quiet database from the cache, and reads again after any write', async () => {
    const cache = new SnapshotCache<number>({ maxEntries: 10, maxWeight: 10 });
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get(t.db, 'k', load)).toBe(1);
    expect(await cache.get(t.db, 'k', load)).toBe(1);
    // A write to a table the value does not even come from: the snapshot has moved on.
    await other.db.execute(sql`select pg_current_xact_id()`);
    expect(await cache.get(t.db, 'k', load)).toBe(2);
  });

  it('shows every kind of change to the peers: status, scale, labels', async () => {
    const before = await page();
    expect(before.items.map((p) => p.pushState)).toEqual(['pending', 'pending', 'pending']);
    expect(await page()).toBe(before); // the same frozen object: a cache hit

    // Written by another connection, as the push worker would.
    await other.db.execute(sql`update peers set push_state = 'failed', last_error = 'agent down' where ip = '172.30.2.2'`);
    const failed = await page();
    expect(failed.items.find((p) => p.ip === '172.30.2.2')).toMatchObject({ pushState: 'failed', lastError: 'agent down' });

    await scaleMemberOp.execute(owner, { memberId, scale: { instances: 4 } });
    expect((await page()).items).toHaveLength(4);

    await updateMemberOp.execute(owner, { memberId, label: 'postgres' });
    expect(new Set((await page()).items.map((p) => p.memberLabel))).toEqual(new Set(['postgres']));
  });

  it('keeps a transaction\'s uncommitted rows to itself', async () => {
    const outside = await listPeers(t.db, networkId, { limit: 100 });
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`update peers set endpoint = '203.0.113.9:51820' where network_id = ${networkId}`);
      const inside = await listPeers(tx as unknown as Db, networkId, { limit: 100 });
      expect(inside.items.every((p) => p.endpoint === '203.0.113.9:51820')).toBe(true);
      // Another caller meanwhile still gets the committed rows.
      expect((await listPeers(other.db, networkId, { limit: 100 })).items.map((p) => p.endpoint)).toEqual(outside.items.map((p) => p.endpoint));
      tx.rollback();
    }).catch((e: unknown) => { if (!String(e).includes('Rollback')) throw e; });
    expect((await listPeers(t.db, networkId, { limit: 100 })).items.every((p) => p.endpoint === null)).toBe(true);
  });

  it('does not reuse a value read while another transaction committed', async () => {
    const cache = new SnapshotCache<string>({ maxEntries: 10, maxWeight: 10 });
    const labelOf = async (db: Db) => (await rows<{ label: string }>(db, sql`select label from members where id = ${memberId}`))[0].label;
    await other.db.execute(sql`update members set label = 'before' where id = ${memberId}`);
    // The value is read, then a commit lands before the cache files it.
    const first = await cache.get(t.db, 'label', async () => {
      const label = await labelOf(t.db);
      await other.db.execute(sql`update members set label = 'after' where id = ${memberId}`);
      return label;
    });
    expect(first).toBe('before');
    expect(await cache.get(t.db, 'label', () => labelOf(t.db))).toBe('after');
  });

  it('evicts the least recently used entries beyond its limits', async () => {
    const cache = new SnapshotCache<number>({ maxEntries: 2, maxWeight: 100 });
    for (const key of ['a', 'b', 'a', 'c']) await cache.get(t.db, key, async () => 1);
    expect(cache.size).toBe(2);
    let reloaded = false;
    await cache.get(t.db, 'b', async () => { reloaded = true; return 1; }); // b was the least recent
    expect(reloaded).toBe(true);
  });

  it('lets a revoked token and a lowered role through not once more', async () => {
    const viewer = await makeUser(t.db);
    await addTeamMemberOp.execute(owner, { projectId, email: viewer.email, role: 'admin' });
    const { id, token } = await createApiToken(t.db, viewer.id, 'poller');
    // Each call as its own API GET would make it: with a shared snapshot reading.
    const tokenLookup = () => readingOnce(() => principalFromToken(t.db, token));
    const asViewer = (await tokenLookup())!;
    expect(asViewer).toMatchObject({ userId: viewer.id });
    expect(await tokenLookup()).toEqual(asViewer); // now from the cache
    await readingOnce(() => getNetworkOp.execute(asViewer, { networkId }));
    await readingOnce(() => getNetworkOp.execute(asViewer, { networkId })); // the role, from the cache

    await changeRoleOp.execute(owner, { projectId, userId: viewer.id, role: 'viewer' });
    expect((await expectAppError(readingOnce(() => scaleMemberOp.execute(asViewer, { memberId, scale: { instances: 2 } })))).status).toBe(403);
    await revokeApiToken(t.db, viewer.id, id);
    expect(await tokenLookup()).toBeNull();
  });

  it('takes one snapshot reading for all the cached reads of a read-only request', async () => {
    let queries = 0;
    const { db: counted, close } = rawTestDb({ onQuery: () => { queries++; } });
    try {
      const cache = new SnapshotCache<number>({ maxEntries: 10, maxWeight: 10 });
      await cache.get(counted, 'a', async () => 1);
      await cache.get(counted, 'b', async () => 2);
      queries = 0;
      await cache.get(counted, 'a', async () => 1);
      await cache.get(counted, 'b', async () => 2);
      expect(queries).toBe(2); // one reading each
      queries = 0;
      await readingOnce(async () => {
        await cache.get(counted, 'a', async () => 1);
        await cache.get(counted, 'b', async () => 2);
      });
      expect(queries).toBe(1);
    } finally {
      await close();
    }
  });

  it('shares one snapshot reading among concurrent requests, taken after they all asked', async () => {
    let queries = 0;
    const { db: counted, close } = rawTestDb({ max: 4, onQuery: () => { queries++; } });
    try {
      const cache = new SnapshotCache<number>({ maxEntries: 10, maxWeight: 10 });
      await cache.get(counted, 'a', async () => 1);
      queries = 0;
      expect(await Promise.all(Array.from({ length: 20 }, () => cache.get(counted, 'a', async () => 2)))).toEqual(Array(20).fill(1));
      expect(queries).toBe(2); // the first request's reading, and one for the 19 that came during it
    } finally {
      await close();
    }
  });

  it('under writes, gives the requests that miss during a load the next load, which sees what committed before them', async () => {
    const cache = new SnapshotCache<string>({ maxEntries: 10, maxWeight: 10 });
    let loads = 0;
    const slowLabel = async () => {
      loads++;
      const [{ label }] = await rows<{ label: string }>(t.db, sql`select label from members where id = ${memberId}`);
      await new Promise((r) => setTimeout(r, 100));
      return label;
    };
    await other.db.execute(sql`update members set label = 'first' where id = ${memberId}`);
    const early = cache.get(t.db, 'label', slowLabel);
    await new Promise((r) => setTimeout(r, 30)); // the first load has read its row
    await other.db.execute(sql`update members set label = 'second' where id = ${memberId}`);
    // Each with a snapshot of its own, as under a stream of writes.
    const asked: Promise<string>[] = [];
    for (let i = 0; i < 10; i++) {
      await other.db.execute(sql`select pg_current_xact_id()`);
      asked.push(cache.get(t.db, 'label', slowLabel));
    }
    const late = await Promise.all(asked);
    expect(await early).toBe('first');
    expect(late).toEqual(Array(10).fill('second')); // not the load already under way when they asked
    expect(loads).toBe(2);
  });

  it('shares one load among requests that miss together, and keeps no failed load', async () => {
    const cache = new SnapshotCache<number>({ maxEntries: 10, maxWeight: 10 });
    let loads = 0;
    const slow = async () => { loads++; await new Promise((r) => setTimeout(r, 50)); return loads; };
    expect(await Promise.all([1, 2, 3, 4].map(() => cache.get(t.db, 'k', slow)))).toEqual([1, 1, 1, 1]);
    expect(loads).toBe(1);

    await other.db.execute(sql`select pg_current_xact_id()`);
    await expect(cache.get(t.db, 'k', async () => { throw new Error('database hiccup'); })).rejects.toThrow('database hiccup');
    expect(await cache.get(t.db, 'k', async () => 7)).toBe(7);
  });
});
