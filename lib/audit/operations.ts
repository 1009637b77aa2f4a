import { z } from 'zod';
import { operation } from '../auth/gate';
import { idPattern } from '../ids';
import { listActivity } from './activity';

export const listActivityOp = operation({
  name: 'activity.list',
  input: z.object({ projectId: z.string().regex(idPattern), before: z.coerce.number().int().positive().optional() }),
  permission: 'project.read',
  scope: (i) => ({ project: i.projectId }),
  run: (ctx, input) => listActivity(ctx.db, input.projectId, input.before),
});
