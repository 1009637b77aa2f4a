import { describe, expect, it } from 'vitest';
import { listActivityOp } from '@/lib/server/audit/operations';
import { createProjectOp, addTeamMemberOp } from '@/lib/server/projects/operations';
import { createNetworkOp } from '@/lib/server/networks/operations';
import { createMemberOp, deleteMemberOp, scaleMemberOp } from '@/lib/server/members/operations';
import { listActivity } from '@/lib/server/audit/activity';
import { rawTestDb, useTestDb } from './db';
import { makeUser, principalOf } from './factories';

const words = (sentence: { text: string }[]) => sentence.map((s) => s.text).join('');

describe('activity log', () => {
  const t = useTestDb();

  it('reads as sentences, filters by person, resource kind and resource, in a bounded number of queries', async () => {
    const ops = await makeUser(t.db, { email: `ops-${Date.now()}@example.com` });
    const dana = await makeUser(t.db);
    const owner = principalOf(ops);
    const projectId = (await createProjectOp.execute(owner, { name: 'acts' })).id;
    await addTeamMemberOp.execute(owner, { projectId, email: dana.email, role: 'admin' });
    const admin = principalOf(dana);
    const net = await createNetworkOp.execute(owner, { projectId, label: 'backend', cidr: '192.168.30.0/24' });
    const api = await createMemberOp.execute(admin, { networkId: net.id, kind: 'application', label: 'api', processes: { web: 2 } });
    await scaleMemberOp.execute(owner, { memberId: api.id, scale: { web: 3 } });
    const db1 = await createMemberOp.execute(admin, { networkId: net.id, kind: 'external', label: 'db1' });
    await deleteMemberOp.execute(admin, { memberId: db1.id });

    const all = await listActivityOp.execute(owner, { projectId });
    expect(all.items.map((e) => words(e.sentence))).toEqual([
      `${dana.email} removed db1 and its 1 host from backend`,
      `${dana.email} added external db1 (×1) to backend`,
      `${ops.email} scaled api to web ×3`,
      `${dana.email} added application api (web ×2) to backend`,
      `${ops.email} created network backend 192.168.30.0/24`,
      `${ops.email} added ${dana.email} to the team as admin`,
      `${ops.email} created the project acts`,
    ]);
    expect(all.people.map((p) => p.email).sort()).toEqual([dana.email, ops.email].sort());

    const byDana = await listActivityOp.execute(owner, { projectId, actor: dana.id });
    expect(byDana.items).toHaveLength(3);
    const members = await listActivityOp.execute(owner, { projectId, kind: 'member' });
    expect(members.items.map((e) => e.action)).toEqual(['member.delete', 'member.create', 'member.scale', 'member.create']);
    const ofApi = await listActivityOp.execute(owner, { projectId, resource: api.id });
    expect(ofApi.items.map((e) => e.action)).toEqual(['member.scale', 'member.create']);

    // The lookups behind the sentences are per page and kind, never per entry.
    let queries = 0;
    const counted = rawTestDb({ onQuery: () => queries++ });
    try {
      await listActivity(counted.db, projectId);
    } finally {
      await counted.close();
    }
    expect(queries).toBeLessThanOrEqual(6);
  });
});
