import { beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { ipAllocations, joinKeys, peers, processes } from '../../lib/server/db/schema';
import type { Principal } from '../../lib/server/auth/gate';
import { hashToken } from '../../lib/server/auth/secret-token';
import { createProjectOp, addTeamMemberOp } from '../../lib/server/projects/operations';
import { createNetworkOp } from '../../lib/server/networks/operations';
import { createMemberOp } from '../../lib/server/members/operations';
import { createJoinKeyOp, listJoinKeysOp, revokeJoinKeyOp } from '../../lib/server/join-keys/operations';
import { joinRoute, leaveRoute } from '../../lib/server/join-keys/routes';
import { releaseEphemeral } from '../../lib/server/join-keys/leave';
import { useTestDb } from './db';
import { makeUser, principalOf, expectAppError } from './factories';
import { randomKey, versionOf } from './push-helpers';

const t = useTestDb();
let owner: Principal, viewer: Principal;
let projectId: string;

beforeAll(async () => {
  [owner, viewer] = (await Promise.all([makeUser(t.db), makeUser(t.db)])).map(principalOf);
  projectId = (await createProjectOp.execute(owner, { name: 'join' })).id;
  await addTeamMemberOp.execute(owner, { projectId, email: viewer.email, role: 'viewer' });
});

async function app(processesIn: Record<string, number>, cidr?: string) {
  const net = await createNetworkOp.execute(owner, { projectId, label: `j${Math.random().toString(36).slice(2, 8)}`, ...(cidr ? { cidr } : {}) });
  const member = await createMemberOp.execute(owner, { networkId: net.id, kind: 'application', label: 'app', processes: processesIn });
  return { networkId: net.id, memberId: member.id };
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read whichever field each answer has
type Answer = Record<string, any>;
const join = async (body: Record<string, unknown>) => {
  const res = await joinRoute(new Request('http://test/api/agent/join', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ publicKey: randomKey(), endpoint: '198.51.100.9:51820', ...body }) }));
  return { status: res.status, body: await res.json() as Answer };
};
const leave = async (hostToken: string) => {
  const res = await leaveRoute(new Request('http://test/api/agent/v1/leave', { method: 'POST', headers: { authorization: `Bearer ${hostToken}` } }));
  return { status: res.status, body: await res.json() as Answer };
};
const count = async (memberId: string, name = 'web') => (await t.db.select().from(processes).where(eq(processes.memberId, memberId))).find((p) => p.name === name)?.instances;
/** What a refused join must leave alone. */
const snapshot = async (networkId: string) => ({
  version: await versionOf(t.db, networkId),
  peers: (await t.db.select({ n: sql<number>`count(*)::int` }).from(peers).where(eq(peers.networkId, networkId)))[0].n,
  keys: (await t.db.select({ n: sql<number>`count(*)::int` }).from(peers).where(sql`${peers.networkId} = ${networkId} and ${peers.publicKey} is not null`))[0].n,
  addresses: (await t.db.select({ n: sql<number>`count(*)::int` }).from(ipAllocations).where(sql`${ipAllocations.networkId} = ${networkId} and owner_id is not null`))[0].n,
});

describe('join keys', () => {
  it('are made by admins, shown once, stored hashed, listed without the key, revoked', async () => {
    const { memberId } = await app({ web: 1 });
    await expectAppError(createJoinKeyOp.execute(viewer, { memberId })).then((e) => expect(e.status).toBe(403));
    const made = await createJoinKeyOp.execute(owner, { memberId, process: 'web', maxUses: 3, ephemeral: true });
    expect(made.key).toMatch(/^mpk_/);
    expect(made.expiresAt.getTime() - Date.now()).toBeGreaterThan(719 * 3_600_000);
    const [row] = await t.db.select().from(joinKeys).where(eq(joinKeys.id, made.id));
    expect(row.keyHash).toBe(hashToken(made.key));
    const list = await listJoinKeysOp.execute(owner, { memberId });
    expect(list.items).toEqual([expect.objectContaining({ id: made.id, process: 'web', uses: 0, maxUses: 3, ephemeral: true })]);
    expect(JSON.stringify(list)).not.toContain(made.key);
    await expectAppError(createJoinKeyOp.execute(owner, { memberId, process: 'nope' })).then((e) => expect(e.field).toBe('process'));
    await expectAppError(createJoinKeyOp.execute(owner, { memberId, maxInstances: 4 })).then((e) => expect(e.field).toBe('maxInstances'));
    await revokeJoinKeyOp.execute(owner, { joinKeyId: made.id });
    expect((await join({ key: made.key })).body.error.code).toBe('key_revoked');
  });

  it('claims the lowest free instance, then autoscales up to maxInstances; leave shrinks and cools the address', async () => {
    const { networkId, memberId } = await app({ web: 1 });
    const { key } = await createJoinKeyOp.execute(owner, { memberId, autoscale: true, maxInstances: 3 });
    const a = await join({ key });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ process: 'web', instance: 1, hostToken: expect.stringMatching(/^mph_/) });
    const before = await versionOf(t.db, networkId);
    const b = await join({ key, process: 'web' });
    expect(b.body.instance).toBe(2);
    expect(await count(memberId)).toBe(2);
    expect(await versionOf(t.db, networkId)).toBe(before + 1);
    expect((await join({ key })).body.instance).toBe(3);
    const full = await snapshot(networkId);
    const refused = await join({ key });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'max_instances', message: expect.stringContaining('higher maxInstances') });
    expect(await snapshot(networkId)).toEqual(full);
    // Instance 3 is held by a host that is online: asking for it by number is refused.
    expect((await join({ key, instance: 3 })).body.error.code).toBe('instance_taken');
    expect(await snapshot(networkId)).toEqual(full);
  });

  it('leave: an autoscaled instance goes and its address cools down; a fixed one goes back to not enrolled', async () => {
    const { networkId, memberId } = await app({ web: 1 });
    const auto = (await createJoinKeyOp.execute(owner, { memberId, autoscale: true })).key;
    const one = await join({ key: auto });
    const two = await join({ key: auto });
    expect(two.body.instance).toBe(2);
    const left = await leave(two.body.hostToken);
    expect(left.status).toBe(200);
    expect(await count(memberId)).toBe(1);
    const [held] = await t.db.select().from(ipAllocations).where(sql`${ipAllocations.networkId} = ${networkId} and host(ip) = ${two.body.ip}`);
    expect(held).toMatchObject({ ownerId: null, releasedAt: expect.any(Date) });
    expect((await leave(two.body.hostToken)).status).toBe(401); // the token died with the slot
    const fixed = (await createJoinKeyOp.execute(owner, { memberId })).key;
    expect((await leave(one.body.hostToken)).body).toMatchObject({ instances: 1 }); // never below one
    const again = await join({ key: fixed });
    expect(again.body.instance).toBe(1);
    expect((await leave(again.body.hostToken)).body).toMatchObject({ instances: 1, removed: false });
    const [p] = await t.db.select().from(peers).where(eq(peers.memberId, memberId));
    expect(p).toMatchObject({ publicKey: null, hostTokenHash: null, number: 1 });
  });

  it('refuses every bad input with what to do, and changes nothing', async () => {
    const { networkId, memberId } = await app({ web: 2, worker: 1 });
    const other = await app({ web: 1 });
    const webOnly = await createJoinKeyOp.execute(owner, { memberId, process: 'web', maxUses: 1 });
    const fixed = (await createJoinKeyOp.execute(owner, { memberId })).key;
    const expired = (await createJoinKeyOp.execute(owner, { memberId, expiresInHours: 1 }));
    await t.db.update(joinKeys).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(joinKeys.id, expired.id));
    const before = await snapshot(networkId);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ key: 'mpk_' + 'a'.repeat(43) }, 401, 'invalid_key'],
      [{ key: 'nonsense' }, 400, 'invalid'],
      [{ key: expired.key }, 401, 'key_expired'],
      [{ key: fixed, memberId: other.memberId }, 403, 'wrong_member'],
      [{ key: webOnly.key, process: 'worker' }, 403, 'process_not_allowed'],
      [{ key: fixed, process: 'cron' }, 400, 'invalid'],
      [{ key: fixed, process: 'web', instance: 3 }, 409, 'instance_out_of_range'],
    ];
    for (const [body, status, code] of cases) {
      const r = await join(body);
      expect([r.status, r.body.error?.code], JSON.stringify(body)).toEqual([status, code]);
      expect(r.body.error.message.length).toBeGreaterThan(20);
    }
    expect(await snapshot(networkId)).toEqual(before);
    expect((await join({ key: webOnly.key })).status).toBe(200);
    const exhausted = await join({ key: webOnly.key });
    expect(exhausted.body.error.code).toBe('key_exhausted');
    expect((await join({ key: fixed, process: 'worker' })).status).toBe(200);
    expect((await join({ key: fixed, process: 'worker' })).body.error.code).toBe('no_free_instance');
    // A network with no free address: a /28 holds few hosts.
    const r = (n: number) => Math.floor(Math.random() * n);
    const tiny = await app({ web: 1 }, `100.${64 + r(60)}.${r(250)}.${16 * r(16)}/28`);
    const grow = (await createJoinKeyOp.execute(owner, { memberId: tiny.memberId, autoscale: true })).key;
    let last: Awaited<ReturnType<typeof join>> | undefined;
    for (let i = 0; i < 20 && (!last || last.status === 200); i++) last = await join({ key: grow });
    expect(last?.body.error.code).toBe('network_full');
  });

  it('re-joining with --instance N takes the slot back with the new key once the old host is offline', async () => {
    const { memberId } = await app({ web: 2 });
    const { key } = await createJoinKeyOp.execute(owner, { memberId });
    const first = await join({ key, instance: 2 });
    expect(first.body.instance).toBe(2);
    expect((await join({ key, instance: 2 })).body.error.code).toBe('instance_taken');
    await t.db.execute(sql`update joined_peers set joined_at = now() - interval '5 minutes' where peer_id = ${first.body.peerId}`);
    const publicKey = randomKey();
    const again = await join({ key, instance: 2, publicKey });
    expect(again.body).toMatchObject({ peerId: first.body.peerId, instance: 2 });
    expect((await t.db.select().from(peers).where(eq(peers.id, first.body.peerId)))[0].publicKey).toBe(publicKey);
    expect((await leave(first.body.hostToken)).status).toBe(401);
  });

  it('50 agents joining with one key at once get 50 distinct instances and addresses', async () => {
    const { memberId } = await app({ web: 1 });
    const { key } = await createJoinKeyOp.execute(owner, { memberId, autoscale: true, maxInstances: 60 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => join({ key })));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((a) => a.body.instance)).size).toBe(50);
    expect(new Set(answers.map((a) => a.body.ip)).size).toBe(50);
    expect(await count(memberId)).toBe(50);
    expect((await listJoinKeysOp.execute(owner, { memberId })).items[0].uses).toBe(50);
  }, 60_000);

  it('ephemeral instances offline past the grace are released by the control plane', async () => {
    const { memberId } = await app({ web: 1 });
    const { key } = await createJoinKeyOp.execute(owner, { memberId, ephemeral: true, autoscale: true });
    const a = await join({ key });
    const b = await join({ key });
    expect(await releaseEphemeral(t.db, 10)).toBe(0);
    await t.db.execute(sql`update peers set last_seen_at = now() - interval '11 minutes' where id = ${b.body.peerId}`);
    await t.db.execute(sql`update joined_peers set joined_at = now() - interval '11 minutes' where peer_id in (${a.body.peerId}, ${b.body.peerId})`);
    await t.db.execute(sql`update peers set last_seen_at = now() where id = ${a.body.peerId}`);
    expect(await releaseEphemeral(t.db, 10)).toBe(1);
    expect(await count(memberId)).toBe(1);
    expect((await leave(b.body.hostToken)).status).toBe(401);
    expect((await leave(a.body.hostToken)).status).toBe(200);
  });
});
