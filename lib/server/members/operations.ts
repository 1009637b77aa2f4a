import { z } from 'zod';
import { operation } from '../auth/gate';
import type { Db } from '../db/client';
import { idPattern } from '../../core/ids';
import { createMember, deleteMember, getMember, listMembers, scaleMember, updateMember } from './members';
import { memberCreateSchema, memberUpdateSchema, scaleSchema } from './schemas';
import { someOf } from '../../core/networks/schemas';
import { listPeers, memberDomainNames } from '../peers/peers';

const id = z.string().regex(idPattern, 'Not a valid id.');

/** A member as the API answers it: its processes and its peers. */
async function memberWithPeers(db: Db, memberId: string) {
  const member = await getMember(db, memberId);
  return { ...member, peers: (await listPeers(db, member.networkId, { memberId })).items };
}

export const listMembersOp = operation({
  name: 'members.list', input: z.object({ networkId: id }),
  permission: 'project.read', scope: (i) => ({ network: i.networkId }),
  run: (ctx, i) => listMembers(ctx.db, i.networkId),
});

// Adds an application, addon or external member with its first peers (admins).
export const createMemberOp = operation({
  name: 'members.create', input: memberCreateSchema.extend({ networkId: id }),
  permission: 'network.write', scope: (i) => ({ network: i.networkId }),
  run: async (ctx, { networkId, ...input }) => {
    const member = await createMember(ctx.db, ctx.actor, networkId, input);
    return memberWithPeers(ctx.db, member.id);
  },
});

export const getMemberOp = operation({
  name: 'members.get', input: z.object({ memberId: id }),
  permission: 'project.read', scope: (i) => ({ member: i.memberId }),
  run: async (ctx, i) => ({ ...(await memberWithPeers(ctx.db, i.memberId)), role: ctx.role }),
});

// Renames or retags a member (admins).
export const updateMemberOp = operation({
  name: 'members.update', input: memberUpdateSchema.extend({ memberId: id }).refine(...someOf(['label', 'tags'])),
  permission: 'network.write', scope: (i) => ({ member: i.memberId }),
  run: async (ctx, { memberId, ...input }) => { await updateMember(ctx.db, ctx.actor, memberId, input); return getMember(ctx.db, memberId); },
});

// Deletes a member and its peers (admins).
export const deleteMemberOp = operation({
  name: 'members.delete', input: z.object({ memberId: id }),
  permission: 'network.write', scope: (i) => ({ member: i.memberId }),
  run: async (ctx, i) => { await deleteMember(ctx.db, ctx.actor, i.memberId); },
});

// Scales processes or instances: peers added or removed, highest numbers first (admins).
export const scaleMemberOp = operation({
  name: 'members.scale', input: z.object({ memberId: id, scale: scaleSchema }),
  permission: 'network.write', scope: (i) => ({ member: i.memberId }),
  run: async (ctx, i) => {
    await scaleMember(ctx.db, ctx.actor, i.memberId, i.scale as Record<string, number>);
    return memberWithPeers(ctx.db, i.memberId);
  },
});

export const memberDomainNamesOp = operation({
  name: 'members.domainNames', input: z.object({ memberId: id }),
  permission: 'project.read', scope: (i) => ({ member: i.memberId }),
  run: (ctx, i) => memberDomainNames(ctx.db, i.memberId),
});
