import { z } from 'zod';
import { operation } from '../auth/gate';
import { idPattern } from '../../core/ids';
import { createJoinKey, listJoinKeys, revokeJoinKey } from './join-keys';
import { joinKeyCreateSchema } from './schemas';

const id = z.string().regex(idPattern, 'Not a valid id.');

// Makes a reusable join key for a member (admins); the key is answered once, stored hashed.
export const createJoinKeyOp = operation({
  name: 'joinKeys.create', input: z.object({ memberId: id }).and(joinKeyCreateSchema),
  permission: 'network.write', scope: (i) => ({ member: i.memberId }),
  run: (ctx, { memberId, ...input }) => createJoinKey(ctx.db, ctx.actor, memberId, input),
});

// Lists a member's join keys with their uses (admins): never the keys themselves.
export const listJoinKeysOp = operation({
  name: 'joinKeys.list', input: z.object({ memberId: id }),
  permission: 'network.write', scope: (i) => ({ member: i.memberId }),
  run: (ctx, i) => listJoinKeys(ctx.db, i.memberId),
});

// Revokes a join key (admins): it joins no one from now on; joined hosts stay.
export const revokeJoinKeyOp = operation({
  name: 'joinKeys.revoke', input: z.object({ joinKeyId: id }),
  permission: 'network.write', scope: (i) => ({ joinKey: i.joinKeyId }),
  run: async (ctx, i) => { await revokeJoinKey(ctx.db, ctx.actor, i.joinKeyId); },
});
