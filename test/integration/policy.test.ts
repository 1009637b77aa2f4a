import { beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { auditLog, policyRules } from '../../lib/server/db/schema';
import { addTeamMemberOp, createProjectOp } from '../../lib/server/projects/operations';
import { createNetworkOp } from '../../lib/server/networks/operations';
import { createMemberOp, deleteMemberOp, updateMemberOp } from '../../lib/server/members/operations';
import { addPolicyRuleOp, deletePolicyRuleOp, getPolicyOp, listPolicyRulesOp, reachabilityOp, setPolicyModeOp } from '../../lib/server/policy/operations';
import { buildNetworkState } from '../../lib/server/delivery/network-state';
import { compileHostPolicy } from '../../lib/core/policy/compile';
import type { Principal } from '../../lib/server/auth/gate';
import { useTestDb } from './db';
import { expectAppError, makeUser, principalOf } from './factories';
import { versionOf } from './push-helpers';

const t = useTestDb();
let owner: Principal, admin: Principal, viewer: Principal;
let projectId: string, networkId: string, otherNetworkId: string;
let api: { id: string; peers: readonly { id: string; ip: string }[] }, db: typeof api, cache: typeof api, foreign: { id: string };

beforeAll(async () => {
  [owner, admin, viewer] = (await Promise.all([0, 1, 2].map(() => makeUser(t.db)))).map(principalOf);
  projectId = (await createProjectOp.execute(owner, { name: 'policy' })).id;
  networkId = (await createNetworkOp.execute(owner, { projectId, label: 'pol' })).id;
  otherNetworkId = (await createNetworkOp.execute(owner, { projectId, label: 'pol2' })).id;
  for (const [p, role] of [[admin, 'admin'], [viewer, 'viewer']] as const) await addTeamMemberOp.execute(owner, { projectId, email: p.email, role });
  api = await createMemberOp.execute(admin, { networkId, kind: 'application', label: 'api', processes: { web: 1, worker: 1 } });
  db = await createMemberOp.execute(admin, { networkId, kind: 'addon', label: 'db', tags: ['db'] });
  cache = await createMemberOp.execute(admin, { networkId, kind: 'addon', label: 'cache' });
  foreign = await createMemberOp.execute(admin, { networkId: otherNetworkId, kind: 'addon', label: 'elsewhere' });
});

async function bumps<T>(change: () => Promise<T>): Promise<T> {
  const before = await versionOf(t.db, networkId);
  const result = await change();
  expect(await versionOf(t.db, networkId)).toBe(before + 1);
  return result;
}
const ruleCount = async () => (await t.db.select({ id: policyRules.id }).from(policyRules).where(eq(policyRules.networkId, networkId))).length;
const reach = (from: string, to: string, port: number) => reachabilityOp.execute(viewer, { networkId, from, to, port: String(port), protocol: 'tcp' });

describe('access policy', () => {
  it('is open by default: everything reaches everything, and the document carries no policy', async () => {
    expect((await getPolicyOp.execute(viewer, { networkId })).mode).toBe('open');
    expect(await reach(api.id, db.id, 5432)).toMatchObject({ allowed: true, mode: 'open' });
    expect((await buildNetworkState(t.db, networkId, new Date()))!.policy).toBeUndefined();
  });

  it('admins switch modes and add rules, viewers only read; every change audited and versioned', async () => {
    await expectAppError(setPolicyModeOp.execute(viewer, { networkId, mode: 'isolated' })).then((e) => expect(e.status).toBe(403));
    await bumps(() => setPolicyModeOp.execute(admin, { networkId, mode: 'isolated' }));
    expect(await reach(api.id, db.id, 5432)).toMatchObject({ allowed: false, reason: 'No rule allows it.' });
    await expectAppError(addPolicyRuleOp.execute(viewer, { networkId, from: api.id, to: db.id, protocol: 'tcp', ports: '5432' })).then((e) => expect(e.status).toBe(403));
    const rule = await bumps(() => addPolicyRuleOp.execute(admin, { networkId, from: api.id, to: db.id, protocol: 'tcp', ports: '5432', note: 'postgres' }));
    expect(await reach(api.id, db.id, 5432)).toMatchObject({ allowed: true, rule: { id: rule.id, note: 'postgres' } });
    expect((await reach(db.id, api.id, 5432)).allowed).toBe(false);
    expect((await reach(api.id, db.id, 5433)).allowed).toBe(false);
    expect((await listPolicyRulesOp.execute(viewer, { networkId })).map((r) => r.id)).toEqual([rule.id]);
    const actions = (await t.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.projectId, projectId)).orderBy(asc(auditLog.id))).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['policy.mode', 'policy.rule.add']));

    // The document: the rule resolved to addresses, and the target host compiles it.
    const state = (await buildNetworkState(t.db, networkId, new Date()))!;
    expect(state.policy).toEqual({ mode: 'isolated', rules: [{ id: rule.id, from: [...api.peers].map((p) => p.ip).sort(), to: [db.peers[0].ip], protocol: 'tcp', ports: '5432' }] });
    expect(compileHostPolicy(state, db.peers[0].id, false)!.input).toHaveLength(1);
    expect(compileHostPolicy(state, api.peers[0].id, false)!.input).toHaveLength(0);
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const before = [await versionOf(t.db, networkId), await ruleCount()];
    const cases: [Record<string, unknown>, number, string][] = [
      [{ from: 'ap-zzzzzzzzzzzz', to: db.id, protocol: 'tcp', ports: '1' }, 400, 'from'],
      [{ from: api.id, to: foreign.id, protocol: 'tcp', ports: '1' }, 400, 'to'],
      [{ from: `${api.id}/nope`, to: db.id, protocol: 'tcp', ports: '1' }, 400, 'from'],
      [{ from: 'tag:nobody', to: db.id, protocol: 'tcp', ports: '1' }, 400, 'from'],
      [{ from: api.id, to: 'devices', protocol: 'tcp', ports: '1' }, 400, 'to'],
      [{ from: api.id, to: db.id, protocol: 'tcp', ports: '70000' }, 400, 'ports'],
      [{ from: api.id, to: db.id, protocol: 'tcp', ports: '0' }, 400, 'ports'],
      [{ from: api.id, to: db.id, protocol: 'tcp', ports: '9000-8000' }, 400, 'ports'],
      [{ from: api.id, to: db.id, protocol: 'icmp', ports: '22' }, 400, 'ports'],
      [{ from: api.id, to: db.id, protocol: 'sctp', ports: '22' }, 400, 'protocol'],
      [{ from: api.id, to: db.id, protocol: 'tcp', ports: '5432' }, 409, 'from'],
    ];
    for (const [input, status, field] of cases) {
      const e = await expectAppError(addPolicyRuleOp.execute(admin, { networkId, ...input }));
      expect([e.status, e.field], JSON.stringify(input)).toEqual([status, field]);
    }
    expect([await versionOf(t.db, networkId), await ruleCount()]).toEqual(before);
  });

  it('a tag rule covers a member tagged later; a process rule only that process; a rule goes with its member', async () => {
    const tagRule = await addPolicyRuleOp.execute(admin, { networkId, from: `${api.id}/worker`, to: 'tag:db', protocol: 'tcp', ports: '6379' });
    expect((await reach(`${api.id}/worker`, cache.id, 6379)).allowed).toBe(false);
    expect((await reach(api.id, db.id, 6379)).allowed).toBe(false); // the web process is not covered
    await bumps(() => updateMemberOp.execute(admin, { memberId: cache.id, tags: ['db'] }));
    expect(await reach(`${api.id}/worker`, cache.id, 6379)).toMatchObject({ allowed: true, rule: { id: tagRule.id } });
    const devicesRule = await addPolicyRuleOp.execute(admin, { networkId, from: 'devices', to: cache.id, protocol: 'any', ports: '8000-8100' });
    expect((await reach('devices', cache.id, 8080)).rule?.id).toBe(devicesRule.id);
    await deleteMemberOp.execute(admin, { memberId: cache.id });
    expect((await listPolicyRulesOp.execute(viewer, { networkId })).map((r) => r.id)).not.toContain(devicesRule.id);
    await bumps(() => deletePolicyRuleOp.execute(admin, { policyRuleId: tagRule.id }));
    await expectAppError(deletePolicyRuleOp.execute(admin, { policyRuleId: tagRule.id })).then((e) => expect(e.status).toBe(404));
  });

  it('switching back to open restores everything', async () => {
    await bumps(() => setPolicyModeOp.execute(admin, { networkId, mode: 'open' }));
    expect(await reach(db.id, api.id, 22)).toMatchObject({ allowed: true, mode: 'open' });
    const e = await expectAppError(reachabilityOp.execute(viewer, { networkId, from: api.id, to: db.id, protocol: 'tcp' }));
    expect([e.status, e.field]).toEqual([400, 'port']);
  });
});
