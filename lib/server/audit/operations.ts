import { z } from 'zod';
import { operation } from '../auth/gate';
import { idPattern } from '../../core/ids';
import { listActivity } from './activity';
import { activityKinds, type ActivityKind } from '../../core/audit/describe';

const kinds = Object.keys(activityKinds) as [ActivityKind, ...ActivityKind[]];

export const listActivityOp = operation({
  name: 'activity.list',
  input: z.object({
    projectId: z.string().regex(idPattern),
    before: z.coerce.number().int().positive().optional(),
    actor: z.string().regex(idPattern).optional(),
    kind: z.enum(kinds).optional(),
    resource: z.string().regex(idPattern).optional(),
  }),
  permission: 'project.read',
  scope: (i) => ({ project: i.projectId }),
  run: (ctx, { projectId, ...filter }) => listActivity(ctx.db, projectId, filter),
});
