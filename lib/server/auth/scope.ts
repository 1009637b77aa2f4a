import { sql, type SQL } from 'drizzle-orm';
import { rows, type Db } from '../db/client';
import { SnapshotCache } from '../db/snapshot-cache';
import { memberships, networks, members, peers, leases, firewallRules, policyRules, projects, invitations, joinKeys, type Role } from '../db/schema';
import { idPattern } from '../../core/ids';

/** What an operation acts on; the gate turns it into a project and the caller's role there. */
export type Scope =
  | { project: string }
  | { network: string }
  | { member: string }
  | { peer: string }
  | { lease: string }
  | { rule: string }
  | { policyRule: string }
  | { invitation: string }
  | { joinKey: string };

const scopeNames: Record<string, string> = {
  project: 'Project', network: 'Network', member: 'Member', peer: 'Peer', lease: 'Lease', rule: 'Rule', policyRule: 'Rule', invitation: 'Invitation', joinKey: 'Join key',
};

export function scopeLabel(scope: Scope): string {
  return scopeNames[Object.keys(scope)[0]];
}

/** The project owning each kind of resource, as a one-row subquery. */
const owningProject: Record<keyof typeof scopeNames, (id: string) => SQL> = {
  project: (id) => sql`select id as project_id from ${projects} where id = ${id}`,
  network: (id) => sql`select project_id from ${networks} where id = ${id}`,
  member: (id) => sql`select n.project_id from ${members} x join ${networks} n on n.id = x.network_id where x.id = ${id}`,
  peer: (id) => sql`select n.project_id from ${peers} x join ${networks} n on n.id = x.network_id where x.id = ${id}`,
  lease: (id) => sql`select n.project_id from ${leases} x join ${networks} n on n.id = x.network_id where x.id = ${id}`,
  rule: (id) => sql`select n.project_id from ${firewallRules} x join ${networks} n on n.id = x.network_id where x.id = ${id}`,
  policyRule: (id) => sql`select n.project_id from ${policyRules} x join ${networks} n on n.id = x.network_id where x.id = ${id}`,
  invitation: (id) => sql`select project_id from ${invitations} where id = ${id}`,
  joinKey: (id) => sql`select n.project_id from ${joinKeys} k join ${members} x on x.id = k.member_id join ${networks} n on n.id = x.network_id where k.id = ${id}`,
};

/** Every gated read asks this first; in an API GET, while nothing changes, the answer is not read again. */
const roles = new SnapshotCache<{ projectId: string; role: Role | null } | undefined>({ maxEntries: 5000, maxWeight: 5000, sharedReadingOnly: true });

/**
 * The project that owns the scoped resource and the user's role there, in one query:
 * undefined when the resource does not exist; role null when the user is not in the team.
 */
export async function accessTo(db: Db, scope: Scope, userId: string): Promise<{ projectId: string; role: Role | null } | undefined> {
  const [kind, id] = Object.entries(scope)[0] as [keyof typeof scopeNames, unknown];
  if (typeof id !== 'string' || !idPattern.test(id) || !owningProject[kind]) return undefined;
  return roles.get(db, `${kind} ${id} ${userId}`, async () => {
    const [row] = await rows<{ project_id: string; role: Role | null }>(db, sql`
      select s.project_id, m.role from (${owningProject[kind](id)}) s
      left join ${memberships} m on m.project_id = s.project_id and m.user_id = ${userId}`);
    return row ? { projectId: row.project_id, role: row.role } : undefined;
  });
}
