import { z } from 'zod';
import { operation } from '../auth/gate';
import { idPattern } from '../../core/ids';
import { createProject, deleteProject, getProject, listProjectsForUser, projectFootprint, projectNameSchema, renameProject } from './projects';
import { hasDeveloperAccess } from './access';
import { addTeamMemberSchema, addTeamMember, changeRole, listTeam, removeTeamMember, roleSchema } from './team';
import { emailSchema } from '../users/users';

const projectId = z.string().regex(idPattern, 'Not a project id.');
const userId = z.string().min(1);

// Lists the caller's projects with their role in each.
export const listProjectsOp = operation({
  name: 'projects.list', input: z.object({}), permission: 'signed-in',
  run: (ctx) => listProjectsForUser(ctx.db, ctx.principal.userId),
});

// Creates a project; the caller becomes its owner.
export const createProjectOp = operation({
  name: 'projects.create', input: z.object({ name: projectNameSchema }), permission: 'signed-in',
  run: (ctx, input) => createProject(ctx.db, ctx.actor, input.name),
});

export const getProjectOp = operation({
  name: 'projects.get', input: z.object({ projectId }), permission: 'project.read',
  scope: (i) => ({ project: i.projectId }),
  run: async (ctx, input) => ({ ...(await getProject(ctx.db, input.projectId)), role: ctx.role }),
});

export const renameProjectOp = operation({
  name: 'projects.rename', input: z.object({ projectId, name: projectNameSchema }), permission: 'project.manage',
  scope: (i) => ({ project: i.projectId }),
  run: (ctx, input) => renameProject(ctx.db, ctx.actor, input.projectId, input.name),
});

// What deleting the project would take with it (its settings page says so before asking).
export const projectFootprintOp = operation({
  name: 'projects.footprint', input: z.object({ projectId }), permission: 'project.manage',
  scope: (i) => ({ project: i.projectId }),
  run: (ctx, input) => projectFootprint(ctx.db, input.projectId),
});

// Whether the caller is a developer (or more) anywhere: the "My access" tab shows only then.
export const developerAccessOp = operation({
  name: 'projects.developerAccess', input: z.object({}), permission: 'signed-in',
  run: (ctx) => hasDeveloperAccess(ctx.db, ctx.principal.userId),
});

export const deleteProjectOp = operation({
  name: 'projects.delete', input: z.object({ projectId }), permission: 'project.manage',
  scope: (i) => ({ project: i.projectId }),
  run: async (ctx, input) => { await deleteProject(ctx.db, ctx.actor, input.projectId); },
});

export const listTeamOp = operation({
  name: 'team.list', input: z.object({ projectId }), permission: 'project.read',
  scope: (i) => ({ project: i.projectId }),
  run: (ctx, input) => listTeam(ctx.db, input.projectId),
});

export const addTeamMemberOp = operation({
  name: 'team.add', input: addTeamMemberSchema.extend({ projectId, email: emailSchema }), permission: 'project.manage',
  scope: (i) => ({ project: i.projectId }),
  run: (ctx, input) => addTeamMember(ctx.db, ctx.actor, input.projectId, input.email, input.role),
});

export const changeRoleOp = operation({
  name: 'team.changeRole', input: z.object({ projectId, userId, role: roleSchema }), permission: 'project.manage',
  scope: (i) => ({ project: i.projectId }),
  run: (ctx, input) => changeRole(ctx.db, ctx.actor, input.projectId, input.userId, input.role),
});

export const removeTeamMemberOp = operation({
  name: 'team.remove', input: z.object({ projectId, userId }), permission: 'project.manage',
  scope: (i) => ({ project: i.projectId }),
  run: async (ctx, input) => { await removeTeamMember(ctx.db, ctx.actor, input.projectId, input.userId); },
});
