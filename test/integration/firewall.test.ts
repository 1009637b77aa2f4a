import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { auditLog, leases } from '../../lib/server/db/schema';
import { createProjectOp, addTeamMemberOp } from '../../lib/server/projects/operations';
import { createNetworkOp } from '../../lib/server/networks/operations';
import { addRuleOp, deleteRuleOp, getFirewallOp, leaseNowOp, renewLeaseOp, revokeLeaseOp } from '../../lib/server/firewall/operations';
import { noIpMessage } from '../../lib/core/firewall/schemas';
import { expireLeases, leaseNow, renewLease, revokeLease } from '../../lib/server/firewall/leases';
import { allowListOf } from '../../lib/server/firewall/allow-list';
import { renderNftables } from '../../lib/core/firewall/nftables';
import { deriveHostConfig } from '../../lib/core/protocol/host-config';
import { randomState, seededRng } from '../../lib/core/protocol/testing';
import type { Principal } from '../../lib/server/auth/gate';
import type { Actor } from '../../lib/server/audit/record';
import { createNetns, requireRoot, requireTools } from '../../agent/test-support';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';
import { versionOf } from './push-helpers';

const t = useTestDb();
const hour = 3_600_000;
let owner: Principal, admin: Principal, dev: Principal, viewer: Principal, stranger: Principal;
let projectId: string, networkId: string;
let ns: ReturnType<typeof createNetns> | undefined;
const rendered: string[] = [];

beforeAll(async () => {
  [owner, admin, dev, viewer, stranger] = (await Promise.all([0, 1, 2, 3, 4].map(() => makeUser(t.db)))).map(principalOf);
  projectId = (await createProjectOp.execute(owner, { name: 'firewall' })).id;
  networkId = (await createNetworkOp.execute(owner, { projectId, label: 'fw' })).id;
  for (const [p, role] of [[admin, 'admin'], [dev, 'developer'], [viewer, 'viewer']] as const) {
    await addTeamMemberOp.execute(owner, { projectId, email: p.email, role });
  }
});
afterAll(() => ns?.remove());

const actorOf = (p: Principal, ip: string | null): Actor => ({ ...p, ip });
const auditActions = async (resourceId: string) =>
  (await t.db.select({ action: auditLog.action }).from(auditLog).where(and(eq(auditLog.projectId, projectId), eq(auditLog.resourceId, resourceId))).orderBy(asc(auditLog.id))).map((r) => r.action);
/** What a host of this network would load at `now`, from the real allow-list, through the existing renderer. */
async function ruleset(now: Date) {
  const state = { ...randomState(seededRng(rendered.length + 1), 3, 0), networkId, allow: await allowListOf(t.db, networkId, now) };
  const script = renderNftables(deriveHostConfig(state, state.hosts[0].peerId, now).firewall);
  rendered.push(script);
  return script;
}
/** Runs a change and asserts it raised the network's config version by exactly one. */
async function bumps<T>(change: () => Promise<T>): Promise<T> {
  const before = await versionOf(t.db, networkId);
  const result = await change();
  expect(await versionOf(t.db, networkId)).toBe(before + 1);
  return result;
}

describe('lease lifecycle with an injected clock', () => {
  // Near the real time, so leases left behind look sane to the operations tests below
  // (nft refuses a timeout beyond 2^32 ms, about 49 days).
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it('creates, renews instead of duplicating, renews, expires, and is never rendered after expiry', async () => {
    const me = actorOf(dev, '203.0.113.9');
    const lease = await bumps(() => leaseNow(t.db, me, networkId, '203.0.113.9', t0));
    expect(lease).toMatchObject({ ip: '203.0.113.9', expiresAt: at(24 * hour), renewed: false });
    expect((await allowListOf(t.db, networkId, t0)).leases).toEqual([{ ip: '203.0.113.9', expiresAt: at(24 * hour).toISOString() }]);
    expect(await ruleset(t0)).toContain('203.0.113.9 timeout 86400s');

    const again = await bumps(() => leaseNow(t.db, me, networkId, '203.0.113.9', at(hour)));
    expect(again).toMatchObject({ id: lease.id, renewed: true, expiresAt: at(25 * hour) });
    const renewed = await bumps(() => renewLease(t.db, me, lease.id, at(2 * hour), { anyLease: false }));
    expect(renewed.expiresAt).toEqual(at(26 * hour));
    expect((await allowListOf(t.db, networkId, at(2 * hour))).leases).toHaveLength(1);
    expect(await ruleset(at(26 * hour - 90_000))).toContain('203.0.113.9 timeout 90s');

    const end = at(26 * hour);
    expect((await allowListOf(t.db, networkId, end)).leases).toEqual([]);
    expect(await ruleset(end)).not.toContain('203.0.113.9');
    expect(await ruleset(at(27 * hour))).not.toContain('203.0.113.9');

    // The worker: once per network even with two replicas at once, then nothing left to do.
    const counts = await bumps(() => Promise.all([expireLeases(t.db, end), expireLeases(t.db, end)]));
    expect(counts[0] + counts[1]).toBeGreaterThanOrEqual(1);
    const [row] = await t.db.select().from(leases).where(eq(leases.id, lease.id));
    expect(row.expiredHandledAt).toEqual(end);
    const before = await versionOf(t.db, networkId);
    await Promise.all([expireLeases(t.db, end), expireLeases(t.db, end)]);
    expect(await versionOf(t.db, networkId)).toBe(before);

    await expect(renewLease(t.db, me, lease.id, at(27 * hour), { anyLease: true })).rejects.toMatchObject({ status: 409 });
    expect(await auditActions(lease.id)).toEqual(['firewall.lease.create', 'firewall.lease.renew', 'firewall.lease.renew']);
  });

  it('revokes: gone from the allow-list at once, and a second revoke is a conflict', async () => {
    const me = actorOf(dev, '2001:db8::7');
    const lease = await leaseNow(t.db, me, networkId, '2001:db8::7', t0);
    expect(await ruleset(t0)).toContain('2001:db8::7 timeout 86400s');
    await bumps(() => revokeLease(t.db, me, lease.id, at(hour)));
    expect((await allowListOf(t.db, networkId, at(hour))).leases.map((l) => l.ip)).not.toContain('2001:db8::7');
    expect(await ruleset(at(hour))).not.toContain('2001:db8::7');
    await expect(revokeLease(t.db, me, lease.id, at(hour))).rejects.toMatchObject({ status: 409 });
    expect(await auditActions(lease.id)).toEqual(['firewall.lease.create', 'firewall.lease.revoke']);
    // A revoked lease never needs the worker.
    const before = await versionOf(t.db, networkId);
    await expireLeases(t.db, at(48 * hour));
    expect(await versionOf(t.db, networkId)).toBe(before);
  });
});

describe('operations', () => {
  const ip = '198.51.100.20';

  it('Lease Now takes the caller\'s IP; a second press renews; a stated IP is for admins', async () => {
    const first = await bumps(() => leaseNowOp.execute(dev, { networkId }, { ip }));
    const second = await leaseNowOp.execute(dev, { networkId }, { ip });
    expect(second.id).toBe(first.id);
    expect(second.expiresAt.getTime()).toBeGreaterThanOrEqual(first.expiresAt.getTime());
    // Two presses at once still make one lease: the network row lock serializes them.
    const twice = await Promise.all([0, 1].map(() => leaseNowOp.execute(dev, { networkId }, { ip: '198.51.100.21' })));
    expect(twice[0].id).toBe(twice[1].id);
    await expect(leaseNowOp.execute(dev, { networkId }, { ip: null })).rejects.toMatchObject({ status: 400, field: 'ip', message: noIpMessage });
    await expect(leaseNowOp.execute(dev, { networkId, ip: '192.0.2.1' }, { ip })).rejects.toMatchObject({ status: 403 });
    await expect(leaseNowOp.execute(admin, { networkId, ip: '192.0.2.300' }, { ip })).rejects.toMatchObject({ status: 400, field: 'ip' });
    const stated = await leaseNowOp.execute(admin, { networkId, ip: '::ffff:192.0.2.1' }, { ip: null });
    expect(stated.ip).toBe('192.0.2.1');
    // Someone else's address: its holder or an admin renews it, not another developer elsewhere.
    await expect(renewLeaseOp.execute(dev, { leaseId: stated.id }, { ip })).rejects.toMatchObject({ status: 403 });
    await bumps(() => renewLeaseOp.execute(admin, { leaseId: stated.id }, { ip: null }));
    await bumps(() => revokeLeaseOp.execute(dev, { leaseId: stated.id }, { ip }));
  });

  it('rules: add, duplicate 409, malformed 400, broad needs confirm, delete; each change audited', async () => {
    const rule = await bumps(() => addRuleOp.execute(admin, { networkId, cidr: '203.0.113.0/24', note: 'office' }));
    expect(rule).toMatchObject({ cidr: '203.0.113.0/24', note: 'office' });
    await expect(addRuleOp.execute(admin, { networkId, cidr: '203.0.113.77/24' })).rejects.toMatchObject({ status: 409, code: 'duplicate_rule', field: 'cidr' });
    for (const cidr of ['abc', '10.0.0.0/33', '10.1/8', '2001:db8::/129', '10.0.0.0/', '']) {
      await expect(addRuleOp.execute(admin, { networkId, cidr }), cidr).rejects.toMatchObject({ status: 400, field: 'cidr' });
    }
    for (const cidr of ['10.0.0.0/7', '0.0.0.0/0', '2001:db8::/31']) {
      await expect(addRuleOp.execute(admin, { networkId, cidr })).rejects.toMatchObject({ status: 400, field: 'confirmBroad' });
    }
    const broad = await bumps(() => addRuleOp.execute(admin, { networkId, cidr: '10.0.0.0/7', confirmBroad: 'on' }));
    const v6 = await addRuleOp.execute(admin, { networkId, cidr: '2001:db8::/32' });
    const host = await addRuleOp.execute(admin, { networkId, cidr: '192.0.2.55' });
    expect(host.cidr).toBe('192.0.2.55/32');
    expect((await allowListOf(t.db, networkId, new Date())).rules).toEqual(expect.arrayContaining(['203.0.113.0/24', '10.0.0.0/7', '2001:db8::/32', '192.0.2.55/32']));
    await ruleset(new Date());

    const seen = await getFirewallOp.execute(dev, { networkId }, { ip: '203.0.113.200' });
    expect(seen.you).toMatchObject({ ip: '203.0.113.200', coveredBy: { by: 'rule', cidr: '203.0.113.0/24' } });
    expect((await getFirewallOp.execute(dev, { networkId }, { ip })).you.coveredBy).toMatchObject({ by: 'lease' });
    expect((await getFirewallOp.execute(dev, { networkId }, { ip: '8.8.8.8' })).you.coveredBy).toBeNull();

    for (const r of [broad, v6, host]) await bumps(() => deleteRuleOp.execute(admin, { ruleId: r.id }));
    expect(await auditActions(rule.id)).toEqual(['firewall.rule.add']);
    expect(await auditActions(broad.id)).toEqual(['firewall.rule.add', 'firewall.rule.delete']);
  });

  it('an IPv4-mapped rule is stored, listed and rendered as IPv4; sources that open nothing are refused', async () => {
    const mapped = await bumps(() => addRuleOp.execute(admin, { networkId, cidr: '::ffff:198.51.100.15' }));
    expect(mapped.cidr).toBe('198.51.100.15/32');
    const script = await ruleset(new Date());
    expect(/set allowed \{[^}]*\}/.exec(script)![0]).toContain('198.51.100.15');
    expect(/set allowed6 \{[^}]*\}/.exec(script)![0]).not.toContain('198.51.100.15');
    const prefix = await addRuleOp.execute(admin, { networkId, cidr: '::ffff:198.51.100.0/120' });
    expect(prefix.cidr).toBe('198.51.100.0/24');
    expect((await getFirewallOp.execute(dev, { networkId }, { ip })).rules.map((r) => r.cidr)).toEqual(expect.arrayContaining(['198.51.100.15/32', '198.51.100.0/24']));
    for (const cidr of ['0.0.0.0', '::', '255.255.255.255', '224.0.0.1', '239.0.0.0/8', 'ff02::1', '127.0.0.1', '127.0.0.0/8', '::1', '::ffff:127.0.0.1']) {
      await expect(addRuleOp.execute(admin, { networkId, cidr }), cidr).rejects.toMatchObject({ status: 400, field: 'cidr', message: expect.stringMatching(/is (an?|the) [a-z ]+ address: no WireGuard traffic comes from there/) });
    }
    for (const stated of ['0.0.0.0', '::', '255.255.255.255', '224.0.0.251', 'ff02::1', '127.0.0.1', '::1', '::ffff:0.0.0.0']) {
      await expect(leaseNowOp.execute(admin, { networkId, ip: stated }, { ip: null }), stated).rejects.toMatchObject({ status: 400, field: 'ip', message: expect.stringMatching(/no WireGuard traffic comes from there/) });
    }
    for (const r of [mapped, prefix]) await deleteRuleOp.execute(admin, { ruleId: r.id });
  });

  it('a viewer sees leases and rules but changes nothing (403); a stranger learns nothing (404)', async () => {
    const view = await getFirewallOp.execute(viewer, { networkId }, { ip });
    expect(view.leases.map((l) => l.ip)).toContain(ip);
    expect(view.leases.every((l) => !l.canRenew)).toBe(true);
    expect(view.rules.map((r) => r.cidr)).toContain('203.0.113.0/24');
    const leaseId = view.leases[0].id;
    const ruleId = view.rules[0].id;
    const before = await versionOf(t.db, networkId);
    await expect(leaseNowOp.execute(viewer, { networkId }, { ip })).rejects.toMatchObject({ status: 403 });
    await expect(addRuleOp.execute(viewer, { networkId, cidr: 'nonsense' })).rejects.toMatchObject({ status: 403 });
    await expect(renewLeaseOp.execute(viewer, { leaseId }, { ip })).rejects.toMatchObject({ status: 403 });
    await expect(revokeLeaseOp.execute(viewer, { leaseId }, { ip })).rejects.toMatchObject({ status: 403 });
    await expect(deleteRuleOp.execute(dev, { ruleId }, { ip })).rejects.toMatchObject({ status: 403 });
    await expect(getFirewallOp.execute(stranger, { networkId }, { ip })).rejects.toMatchObject({ status: 404 });
    await expect(leaseNowOp.execute(stranger, { networkId }, { ip })).rejects.toMatchObject({ status: 404 });
    await expect(revokeLeaseOp.execute(stranger, { leaseId }, { ip })).rejects.toMatchObject({ status: 404 });
    await expect(deleteRuleOp.execute(stranger, { ruleId }, { ip })).rejects.toMatchObject({ status: 404 });
    expect(await versionOf(t.db, networkId)).toBe(before);
  });

  it('every ruleset rendered from a real allow-list passes the real parser (nft -c -f)', () => {
    // Fails (never skips) without root or nft, naming the package to install; the rest of
    // the file does not need them. A namespace of our own: the machine's ruleset is untouched.
    requireRoot();
    requireTools(['nft', 'ip']);
    ns = createNetns('mpt-fw');
    expect(rendered.length).toBeGreaterThanOrEqual(7);
    for (const script of rendered) ns!.exec(['nft', '-c', '-f', '-'], script);
  });
});
