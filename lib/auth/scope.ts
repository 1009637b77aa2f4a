import { eq, and } from 'drizzle-orm';
import type { Db } from '../db/client';
import { memberships, networks, members, peers, leases, firewallRules, projects, type Role } from '../db/schema';
import { idPattern } from '../ids';

/** What an operation acts on; the gate turns it into a project and the caller's role there. */
export type Scope =
  | { project: string }
  | { network: string }
  | { member: string }
  | { peer: string }
  | { lease: string }
  | { rule: string };

const scopeNames: Record<string, string> = {
  project: 'Project', network: 'Network', member: 'Member', peer: 'Peer', lease: 'Lease', rule: 'Rule',
};

export function scopeLabel(scope: Scope): string {
  return scopeNames[Object.keys(scope)[0]];
}

/** The project that owns the scoped resource, or undefined when it does not exist. */
export async function projectOf(db: Db, scope: Scope): Promise<string | undefined> {
  const [kind, id] = Object.entries(scope)[0] as [keyof typeof scopeNames, unknown];
  if (typeof id !== 'string' || !idPattern.test(id)) return undefined;
  const one = async (q: Promise<{ projectId: string }[]>) => (await q)[0]?.projectId;
  switch (kind) {
    case 'project':
      return one(db.select({ projectId: projects.id }).from(projects).where(eq(projects.id, id)));
    case 'network':
      return one(db.select({ projectId: networks.projectId }).from(networks).where(eq(networks.id, id)));
    case 'member':
      return one(db.select({ projectId: networks.projectId }).from(members).innerJoin(networks, eq(networks.id, members.networkId)).where(eq(members.id, id)));
    case 'peer':
      return one(db.select({ projectId: networks.projectId }).from(peers).innerJoin(networks, eq(networks.id, peers.networkId)).where(eq(peers.id, id)));
    case 'lease':
      return one(db.select({ projectId: networks.projectId }).from(leases).innerJoin(networks, eq(networks.id, leases.networkId)).where(eq(leases.id, id)));
    case 'rule':
      return one(db.select({ projectId: networks.projectId }).from(firewallRules).innerJoin(networks, eq(networks.id, firewallRules.networkId)).where(eq(firewallRules.id, id)));
  }
  return undefined;
}

export async function roleIn(db: Db, projectId: string, userId: string): Promise<Role | undefined> {
  const [row] = await db.select({ role: memberships.role }).from(memberships)
    .where(and(eq(memberships.projectId, projectId), eq(memberships.userId, userId)));
  return row?.role;
}
