import { z } from 'zod';
import { operation } from '../auth/gate';
import { idPattern } from '../../core/ids';
import { emailSchema, findUserById } from '../users/users';
import { roleSchema } from '../projects/team';
import { unauthenticated } from '../errors';
import { acceptInvitation, createInvitation, listInvitations, renewInvitation, revokeInvitation } from './invitations';

const projectId = z.string().regex(idPattern, 'Not a project id.');
const invitationId = z.string().regex(idPattern, 'Not an invitation id.');

// Invites an email address to the project with a role; the answer holds the one-time link's path.
export const createInvitationOp = operation({
  name: 'invitations.create', input: z.object({ projectId, email: emailSchema, role: roleSchema }), permission: 'team.invite',
  scope: (i) => ({ project: i.projectId }),
  run: (ctx, input) => createInvitation(ctx.db, ctx.actor, input.projectId, ctx.role!, input.email, input.role),
});

export const listInvitationsOp = operation({
  name: 'invitations.list', input: z.object({ projectId }), permission: 'team.invite',
  scope: (i) => ({ project: i.projectId }),
  run: (ctx, input) => listInvitations(ctx.db, input.projectId),
});

export const revokeInvitationOp = operation({
  name: 'invitations.revoke', input: z.object({ invitationId }), permission: 'team.invite',
  scope: (i) => ({ invitation: i.invitationId }),
  run: async (ctx, input) => { await revokeInvitation(ctx.db, ctx.actor, ctx.projectId!, input.invitationId); },
});

// A new link for a pending invitation; the previous one stops working.
export const renewInvitationOp = operation({
  name: 'invitations.renew', input: z.object({ invitationId }), permission: 'team.invite',
  scope: (i) => ({ invitation: i.invitationId }),
  run: (ctx, input) => renewInvitation(ctx.db, ctx.actor, ctx.projectId!, input.invitationId),
});

// The signed-in invitee accepts: they join the project with the invited role.
export const acceptInvitationOp = operation({
  name: 'invitations.accept', input: z.object({ token: z.string().min(1).max(200) }), permission: 'signed-in',
  run: async (ctx, input) => {
    const user = await findUserById(ctx.db, ctx.principal.userId);
    if (!user) throw unauthenticated();
    return acceptInvitation(ctx.db, input.token, user, ctx.actor.ip);
  },
});
