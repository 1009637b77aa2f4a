export const roles = ['owner', 'admin', 'developer', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'project.read', // see networks, members, IPs, names, host status
  'access.own', // own devices, download configs, Lease Now
  'network.write', // create/edit networks, members, processes, rules; enrol hosts; push
  'team.invite', // invite an email address to the team (admins up to admin; owners any role)
  'project.manage', // rename and delete the project, manage the team
] as const;
export type Permission = (typeof permissions)[number];

/** DESIGN.md "Who may do what", as data. */
export const roleMatrix = {
  viewer: ['project.read'],
  developer: ['project.read', 'access.own'],
  admin: ['project.read', 'access.own', 'network.write', 'team.invite'],
  owner: ['project.read', 'access.own', 'network.write', 'team.invite', 'project.manage'],
} as const satisfies Record<Role, readonly Permission[]>;

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return !!role && (roleMatrix[role] as readonly Permission[]).includes(permission);
}

export const roleRank: Record<Role, number> = { viewer: 0, developer: 1, admin: 2, owner: 3 };

/** Why the last owner can be neither demoted nor removed: a project always keeps someone who can manage it. */
export const lastOwnerMessage = 'This is the last owner: make someone else owner first.';

/** Whether `member` is the project's only owner (the server refuses to demote or remove them). */
export function isLastOwner(team: { role: Role }[], member: { role: Role }): boolean {
  return member.role === 'owner' && team.filter((m) => m.role === 'owner').length <= 1;
}
