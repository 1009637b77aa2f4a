/**
 * No N+1: the queries behind the network page and the peers API stay the same in number
 * whether a network has 20 hosts or 300 (issue 7). Counted at the driver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Principal } from '@/lib/server/auth/gate';
import { createProjectOp } from '@/lib/server/projects/operations';
import { createNetworkOp, getNetworkOp } from '@/lib/server/networks/operations';
import { createMemberOp, getMemberOp, listMembersOp, memberDomainNamesOp } from '@/lib/server/members/operations';
import { listPeersOp } from '@/lib/server/peers/operations';
import { getFirewallOp } from '@/lib/server/firewall/operations';
import { listNetworkDevicesOp } from '@/lib/server/devices/operations';
import { createSession, endSession, livePrincipal } from '@/lib/server/auth/sessions';
import { readingOnce } from '@/lib/server/db/snapshot-cache';
import { rawTestDb, useTestDb } from './db';
import { makeUser, principalOf } from './factories';

describe('queries per page do not grow with the hosts', () => {
  const t = useTestDb();
  let queries = 0;
  const { db: counted, close } = rawTestDb({ onQuery: () => { queries++; } });
  afterAll(close);

  let owner: Principal;
  const nets: Record<'small' | 'large', { networkId: string; memberId: string }> = {} as never;

  beforeAll(async () => {
    owner = principalOf(await makeUser(t.db));
    const { id: projectId } = await createProjectOp.execute(owner, { name: 'n+1' });
    for (const [size, each, cidr] of [['small', 1, '172.30.0.0/24'], ['large', 15, '172.30.4.0/22']] as const) {
      const { id: networkId } = await createNetworkOp.execute(owner, { projectId, label: size, cidr });
      const members = [];
      for (let i = 0; i < 10; i++) members.push(await createMemberOp.execute(owner, { networkId, kind: 'addon', label: `m${i}`, instances: each }));
      const app = await createMemberOp.execute(owner, { networkId, kind: 'application', label: 'app', processes: { web: each * 5, worker: each * 5 } });
      nets[size] = { networkId, memberId: app.id };
    }
  });

  async function pageQueries(networkId: string, memberId: string) {
    // A transaction that takes an id moves the database's snapshot on, so cached reads
    // (SnapshotCache) miss and every query is counted.
    await t.db.execute(sql`select pg_current_xact_id()`);
    const meta = { db: counted, ip: '127.0.0.1' };
    const counts: number[] = [];
    const count = async (run: () => Promise<unknown>) => { const before = queries; await run(); counts.push(queries - before); };
    await count(() => getNetworkOp.execute(owner, { networkId }, meta));
    await count(() => listMembersOp.execute(owner, { networkId }, meta));
    await count(() => listPeersOp.execute(owner, { networkId, limit: 100 }, meta));
    await count(() => listPeersOp.execute(owner, { networkId, limit: 100, q: 'web' }, meta));
    await count(() => getFirewallOp.execute(owner, { networkId }, meta));
    await count(() => listNetworkDevicesOp.execute(owner, { networkId }, meta));
    await count(() => getMemberOp.execute(owner, { memberId }, meta));
    await count(() => memberDomainNamesOp.execute(owner, { memberId }, meta));
    return counts;
  }

  it('counts the same queries for 20 hosts and for 300', async () => {
    await pageQueries(nets.small.networkId, nets.small.memberId); // warm the connection (type lookups)
    const small = await pageQueries(nets.small.networkId, nets.small.memberId);
    const large = await pageQueries(nets.large.networkId, nets.large.memberId);
    expect(large).toEqual(small);
    const total = small.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(8);
    expect(total).toBeLessThan(45);
  });

  it('checks a polling session without a query of its own while nothing changes (issue 11)', async () => {
    const sid = await createSession(t.db, owner.userId);
    const poll = async () => {
      const before = queries;
      const principal = await readingOnce(() => livePrincipal(counted, sid, owner.userId));
      return { principal, queries: queries - before };
    };
    await t.db.execute(sql`select pg_current_xact_id()`);
    expect(await poll()).toEqual({ principal: { ...owner, sessionId: sid }, queries: 2 }); // the snapshot reading and the session
    expect(await poll()).toEqual({ principal: { ...owner, sessionId: sid }, queries: 1 }); // the snapshot reading only
    await endSession(t.db, sid); // a write: the next poll reads again, and the session is gone
    expect(await poll()).toEqual({ principal: null, queries: 2 });
  });
});
