/**
 * Every operation — and so every server action and API route, which are thin shells over
 * them (test/unit/gate-coverage.test.ts) — answers 401 to no one, 404 to a stranger and
 * 403 to a role that is too low, whatever the input.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { operationRegistry, type Operation, type Principal } from '@/lib/server/auth/gate';
import { AppError } from '@/lib/server/errors';
import type { Role } from '@/lib/server/db/schema';
import { roleRank, roleMatrix, type Permission } from '@/lib/core/permissions';
import { createProjectOp, addTeamMemberOp } from '@/lib/server/projects/operations';
import { createNetworkOp } from '@/lib/server/networks/operations';
import { createMemberOp } from '@/lib/server/members/operations';
import { addRuleOp, leaseNowOp } from '@/lib/server/firewall/operations';
import { createInvitationOp } from '@/lib/server/invitations/operations';
import { createJoinKeyOp } from '@/lib/server/join-keys/operations';
import { addPolicyRuleOp } from '@/lib/server/policy/operations';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';

// Load every operations module so the registry is complete.
const libDir = path.resolve(__dirname, '../../lib/server');
const operationModules = readdirSync(libDir).filter((d) => statSync(path.join(libDir, d)).isDirectory())
  .flatMap((d) => readdirSync(path.join(libDir, d)).filter((f) => /operations\.ts$/.test(f)).map((f) => path.join(libDir, d, f)));

async function statusOf(op: Operation, principal: Principal | null, input: unknown): Promise<number> {
  try {
    await op.execute(principal, input, { ip: '127.0.0.1' });
    return 200;
  } catch (e) {
    if (e instanceof AppError) return e.status;
    throw e;
  }
}

/** The lowest role that holds the permission. */
function lowestRoleFor(permission: Permission): Role {
  return (Object.keys(roleMatrix) as Role[]).filter((r) => (roleMatrix[r] as readonly Permission[]).includes(permission))
    .sort((a, b) => roleRank[a] - roleRank[b])[0];
}
const roleBelow = (role: Role): Role | undefined => (Object.keys(roleRank) as Role[]).find((r) => roleRank[r] === roleRank[role] - 1);

describe('authorization over every operation', () => {
  const t = useTestDb();
  const principals = {} as Record<Role | 'stranger', Principal>;
  let ids: Record<string, string>;

  beforeAll(async () => {
    for (const file of operationModules) await import(file);
    const owner = principalOf(await makeUser(t.db));
    principals.owner = owner;
    const project = await createProjectOp.execute(owner, { name: 'authz' });
    for (const role of ['admin', 'developer', 'viewer'] as const) {
      const user = await makeUser(t.db);
      await addTeamMemberOp.execute(owner, { projectId: project.id, email: user.email, role });
      principals[role] = principalOf(user);
    }
    const strangerUser = await makeUser(t.db);
    principals.stranger = principalOf(strangerUser);
    await createProjectOp.execute(principals.stranger, { name: 'elsewhere' });
    const network = await createNetworkOp.execute(owner, { projectId: project.id, label: 'n' });
    const member = await createMemberOp.execute(owner, { networkId: network.id, kind: 'application', label: 'app' });
    const rule = await addRuleOp.execute(owner, { networkId: network.id, cidr: '203.0.113.0/24' });
    const lease = await leaseNowOp.execute(owner, { networkId: network.id, ip: '198.51.100.9' }, { ip: '127.0.0.1' });
    const invitation = await createInvitationOp.execute(owner, { projectId: project.id, email: 'invited@example.test', role: 'viewer' });
    const policyRule = await addPolicyRuleOp.execute(owner, { networkId: network.id, from: member.id, to: member.id, protocol: 'tcp', ports: '5432' });
    const joinKey = await createJoinKeyOp.execute(owner, { memberId: member.id });
    ids = {
      policyRuleId: policyRule.id, joinKeyId: joinKey.id,
      invitationId: invitation.id, projectId: project.id, networkId: network.id, memberId: member.id, peerId: member.peers[0].id,
      ruleId: (rule as { id: string }).id, leaseId: (lease as { id: string }).id, userId: principals.viewer.userId,
    };
  });

  it('has loaded the operations', () => {
    expect(operationModules.length).toBeGreaterThanOrEqual(6);
    expect(operationRegistry.length).toBeGreaterThan(25);
  });

  it('answers 401 to an anonymous caller, everywhere', async () => {
    for (const op of operationRegistry) expect(await statusOf(op, null, ids), op.name).toBe(401);
  });

  it('answers 404 to a user of another project, for every scoped operation', async () => {
    for (const op of operationRegistry.filter((o) => o.scope)) {
      expect(await statusOf(op, principals.stranger, ids), op.name).toBe(404);
    }
  });

  it('answers 404 for ids that do not exist, even to the owner', async () => {
    const missing = Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, v.slice(0, 3) + 'zzzzzzzzzzzz']));
    for (const op of operationRegistry.filter((o) => o.scope)) {
      expect(await statusOf(op, principals.owner, missing), op.name).toBe(404);
    }
  });

  it('answers 403 to the role just below the one an operation needs', async () => {
    let checked = 0;
    for (const op of operationRegistry.filter((o) => o.scope && o.permission !== 'signed-in')) {
      const below = roleBelow(lowestRoleFor(op.permission as Permission));
      if (!below) continue; // project.read: every member may
      expect(await statusOf(op, principals[below], ids), `${op.name} as ${below}`).toBe(403);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });
});
