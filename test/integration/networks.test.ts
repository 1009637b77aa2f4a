import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createProjectOp } from '@/lib/server/projects/operations';
import { createNetworkOp, getNetworkOp, listNetworksOp, updateNetworkOp } from '@/lib/server/networks/operations';
import { createMemberOp, deleteMemberOp, memberDomainNamesOp, scaleMemberOp, updateMemberOp } from '@/lib/server/members/operations';
import { listPeersOp } from '@/lib/server/peers/operations';
import { scaleMember } from '@/lib/server/members/members';
import { rawTestDb, useTestDb } from './db';
import { versionOf } from './push-helpers';
import { expectAppError, makeUser, principalOf } from './factories';
import type { Principal } from '@/lib/server/auth/gate';

const ipNumber = (ip: string) => ip.split('.').reduce((n, b) => n * 256 + Number(b), 0);

describe('networks, members and addresses', () => {
  const t = useTestDb();
  let owner: Principal;
  let projectId: string;

  beforeAll(async () => {
    owner = principalOf(await makeUser(t.db));
    projectId = (await createProjectOp.execute(owner, { name: 'nets' })).id;
  });

  it('allocates the next free /16 of the pool and refuses overlaps across projects', async () => {
    const a = await createNetworkOp.execute(owner, { projectId, label: 'auto-a' });
    const b = await createNetworkOp.execute(owner, { projectId, label: 'auto-b' });
    expect(a.cidr).toMatch(/^10\.\d{1,3}\.0\.0\/16$/); // a /16 of the tests' pool, 10.0.0.0/8
    expect(b.cidr).not.toBe(a.cidr);
    const other = principalOf(await makeUser(t.db));
    const otherProject = (await createProjectOp.execute(other, { name: 'other' })).id;
    const inside = a.cidr.replace('.0.0/16', '.8.0/24');
    const hidden = await expectAppError(createNetworkOp.execute(other, { projectId: otherProject, label: 'x', cidr: inside }));
    expect([hidden.status, hidden.field]).toEqual([409, 'cidr']);
    expect(hidden.message).not.toContain(a.id);
    const named = await expectAppError(createNetworkOp.execute(owner, { projectId, label: 'x', cidr: inside }));
    expect(named.message).toContain(a.id);
  });

  it('counts each network\'s members and hosts in the list', async () => {
    const net = await createNetworkOp.execute(owner, { projectId, label: 'counted', cidr: '192.168.20.0/24' });
    const empty = await createNetworkOp.execute(owner, { projectId, label: 'counted-empty', cidr: '192.168.21.0/24' });
    await createMemberOp.execute(owner, { networkId: net.id, kind: 'application', label: 'api', processes: { web: 2, worker: 1 } });
    await createMemberOp.execute(owner, { networkId: net.id, kind: 'external', label: 'db1' });
    await createMemberOp.execute(owner, { networkId: net.id, kind: 'external', label: 'db2' });
    const list = await listNetworksOp.execute(owner, { projectId });
    const counts = (id: string) => { const n = list.find((x) => x.id === id)!; return [n.memberCount, n.peerCount]; };
    expect(counts(net.id)).toEqual([3, 5]);
    expect(counts(empty.id)).toEqual([0, 0]);
  });

  it('refuses malformed, public, out-of-range and misaligned CIDRs with the field named', async () => {
    for (const cidr of ['10.1.2', '8.8.8.0/24', '10.200.0.0/12', '10.200.0.0/29', '10.200.1.0/16', 'fd00::/64']) {
      const e = await expectAppError(createNetworkOp.execute(owner, { projectId, label: `bad-${cidr}`, cidr }));
      expect([e.status, e.field], cidr).toEqual([400, 'cidr']);
    }
  });

  it('refuses bad labels and tags, and duplicate labels in one project', async () => {
    await createNetworkOp.execute(owner, { projectId, label: 'dup', cidr: '172.16.0.0/24' });
    expect((await expectAppError(createNetworkOp.execute(owner, { projectId, label: 'dup', cidr: '172.16.1.0/24' }))).status).toBe(409);
    expect((await expectAppError(createNetworkOp.execute(owner, { projectId, label: '' }))).field).toBe('label');
    expect((await expectAppError(createNetworkOp.execute(owner, { projectId, label: 'y'.repeat(101) }))).field).toBe('label');
    expect((await expectAppError(createNetworkOp.execute(owner, { projectId, label: 't', tags: ['x'.repeat(33)] }))).field).toMatch(/^tags/);
    expect((await expectAppError(createNetworkOp.execute(owner, { projectId, label: 't', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }))).field).toBe('tags');
  });

  it('names every instance as DESIGN.md says and scales highest numbers first', async () => {
    const net = await createNetworkOp.execute(owner, { projectId, label: 'names', cidr: '192.168.10.0/24' });
    const app = await createMemberOp.execute(owner, { networkId: net.id, kind: 'application', label: 'api', processes: { web: 2, worker: 1 } });
    expect(app.peers.map((p) => p.ip)).toEqual(['192.168.10.1', '192.168.10.2', '192.168.10.3']);
    const z = `${app.id}.${net.id}.mesh.internal`;
    const names = await memberDomainNamesOp.execute(owner, { memberId: app.id });
    expect(names).toEqual([
      { name: z, addresses: ['192.168.10.1', '192.168.10.2'] },
      { name: `worker.${z}`, addresses: ['192.168.10.3'] },
      { name: `1.web.${z}`, addresses: ['192.168.10.1'] },
      { name: `2.web.${z}`, addresses: ['192.168.10.2'] },
      { name: `1.worker.${z}`, addresses: ['192.168.10.3'] },
    ]);
    await scaleMemberOp.execute(owner, { memberId: app.id, scale: { worker: 3 } });
    await scaleMemberOp.execute(owner, { memberId: app.id, scale: { web: 1 } });
    const peers = (await listPeersOp.execute(owner, { networkId: net.id })).items;
    expect(peers.map((p) => `${p.process}${p.number}`).sort()).toEqual(['web1', 'worker1', 'worker2', 'worker3']);
    const addon = await createMemberOp.execute(owner, { networkId: net.id, kind: 'addon', label: 'pg', instances: 3 });
    expect(addon.peers[2].names).toEqual([`3.${addon.id}.${net.id}.mesh.internal`, `${addon.id}.${net.id}.mesh.internal`]);
    expect(addon.peers[2].process).toBeNull();
  });

  it('refuses bad kinds, process names and instance counts, changing nothing', async () => {
    const net = await createNetworkOp.execute(owner, { projectId, label: 'inputs', cidr: '192.168.11.0/24' });
    const before = (await getNetworkOp.execute(owner, { networkId: net.id })).configVersion;
    const cases: [unknown, string][] = [
      [{ kind: 'robot', label: 'r' }, 'kind'],
      [{ kind: 'application', label: 'a', processes: { Web_1: 1 } }, 'processes'],
      [{ kind: 'addon', label: 'b', instances: -1 }, 'instances'],
      [{ kind: 'addon', label: 'c', instances: 1.5 }, 'instances'],
      [{ kind: 'addon', label: 'd', instances: 1001 }, 'instances'],
    ];
    for (const [input, field] of cases) {
      const e = await expectAppError(createMemberOp.execute(owner, { networkId: net.id, ...(input as object) }));
      expect(e.status, JSON.stringify(input)).toBe(400);
      expect(e.field, JSON.stringify(input)).toMatch(new RegExp(`^${field}`));
    }
    expect((await getNetworkOp.execute(owner, { networkId: net.id })).configVersion).toBe(before);
  });

  it('fills a /28 up to its device block, then answers network full and changes nothing', async () => {
    const net = await createNetworkOp.execute(owner, { projectId, label: 'tiny', cidr: '192.168.12.0/28' });
    const e = await expectAppError(createMemberOp.execute(owner, { networkId: net.id, kind: 'addon', label: 'big', instances: 12 }));
    expect([e.status, e.code]).toEqual([409, 'network_full']);
    const ok = await createMemberOp.execute(owner, { networkId: net.id, kind: 'addon', label: 'fits', instances: 11 });
    expect(ok.peers.map((p) => p.ip).at(-1)).toBe('192.168.12.11'); // .12–.15 are the device block
    const version = (await getNetworkOp.execute(owner, { networkId: net.id })).configVersion;
    expect((await expectAppError(scaleMemberOp.execute(owner, { memberId: ok.id, scale: { instances: 12 } }))).code).toBe('network_full');
    expect((await getNetworkOp.execute(owner, { networkId: net.id })).configVersion).toBe(version);
    expect((await listPeersOp.execute(owner, { networkId: net.id })).items).toHaveLength(11);
  });

  it('keeps a released address out of use for the cool-down, then hands it out again', async () => {
    const net = await createNetworkOp.execute(owner, { projectId, label: 'cool', cidr: '192.168.13.0/24' });
    const m = await createMemberOp.execute(owner, { networkId: net.id, kind: 'addon', label: 'a', instances: 3 });
    await scaleMemberOp.execute(owner, { memberId: m.id, scale: { instances: 1 } });
    const grown = await scaleMemberOp.execute(owner, { memberId: m.id, scale: { instances: 2 } });
    expect(grown.peers.map((p) => p.ip)).toEqual(['192.168.13.1', '192.168.13.4']);
    await t.db.execute(sql`update ip_allocations set released_at = now() - interval '2 hours' where network_id = ${net.id} and owner_id is null`);
    const again = await scaleMemberOp.execute(owner, { memberId: m.id, scale: { instances: 4 } });
    expect(again.peers.map((p) => `${p.number}:${p.ip}`)).toEqual(['1:192.168.13.1', '3:192.168.13.2', '4:192.168.13.3', '2:192.168.13.4']);
  });

  it('an empty PATCH of a network or a member is a 400, not a failed update', async () => {
    const net = await createNetworkOp.execute(owner, { projectId, label: 'empty-patch', cidr: '192.168.15.0/24' });
    const m = await createMemberOp.execute(owner, { networkId: net.id, kind: 'addon', label: 'db' });
    for (const call of [
      () => updateNetworkOp.execute(owner, { networkId: net.id }),
      () => updateNetworkOp.execute(owner, { networkId: net.id, unknown: 'x' } as never),
      () => updateMemberOp.execute(owner, { memberId: m.id }),
    ]) {
      const e = await expectAppError(call());
      expect([e.status, e.code]).toEqual([400, 'invalid']);
      expect(e.message).toMatch(/^Give at least one of label, /);
    }
    expect((await updateMemberOp.execute(owner, { memberId: m.id, tags: ['a'] })).tags).toEqual(['a']);
  });

  it('raises the config version with every change to hosts, not with a rename', async () => {
    const net = await createNetworkOp.execute(owner, { projectId, label: 'versions', cidr: '192.168.14.0/24' });
    const v = async () => (await getNetworkOp.execute(owner, { networkId: net.id })).configVersion;
    const v0 = await v();
    const m = await createMemberOp.execute(owner, { networkId: net.id, kind: 'application', label: 'a' });
    expect(await v()).toBe(v0 + 1);
    await scaleMemberOp.execute(owner, { memberId: m.id, scale: { web: 2 } });
    expect(await v()).toBe(v0 + 2);
    await updateNetworkOp.execute(owner, { networkId: net.id, label: 'versions-renamed' });
    expect(await v()).toBe(v0 + 2);
    await deleteMemberOp.execute(owner, { memberId: m.id });
    expect(await v()).toBe(v0 + 3);
  });

  it('gives 50 concurrent scale-ups on separate connections all-distinct addresses', async () => {
    const net = await createNetworkOp.execute(owner, { projectId, label: 'race', cidr: '172.30.16.0/20' });
    const members = [];
    for (let i = 0; i < 50; i++) members.push(await createMemberOp.execute(owner, { networkId: net.id, kind: 'addon', label: `m${i}`, instances: 1 }));
    const { db: wide, close } = rawTestDb({ max: 50 });
    try {
      const actor = { userId: owner.userId, email: owner.email, ip: null };
      await Promise.all(members.map((m, i) => scaleMember(wide, actor, m.id, { instances: 2 + (i % 4) })));
    } finally {
      await close();
    }
    const ips = (await listPeersOp.execute(owner, { networkId: net.id })).items.map((p) => p.ip);
    expect(ips).toHaveLength(50 + members.reduce((s, _m, i) => s + 1 + (i % 4), 0));
    expect(new Set(ips).size).toBe(ips.length);
    // Lowest free first: the addresses are exactly 1..N.
    expect(Math.max(...ips.map(ipNumber)) - ipNumber('172.30.16.0')).toBe(ips.length);
    expect(await versionOf(t.db, net.id)).toBe(1 + 50 + 50);
  });
});
