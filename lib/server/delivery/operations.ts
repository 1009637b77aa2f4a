import { z } from 'zod';
import { operation } from '../auth/gate';
import { idPattern } from '../../core/ids';
import { networks } from '../db/schema';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/record';
import { createEnrollmentToken } from '../peers/enrollment';
import { runWorkerRound } from './worker';
import { networkConvergence } from './convergence-read';

const id = z.string().regex(idPattern, 'Not a valid id.');

// Makes a one-use, one-hour enrolment token for a peer (admins); shown once, stored hashed.
export const createEnrollmentTokenOp = operation({
  name: 'peers.enrollmentToken', input: z.object({ peerId: id }),
  permission: 'network.write', scope: (i) => ({ peer: i.peerId }),
  run: (ctx, i) => createEnrollmentToken(ctx.db, ctx.actor, i.peerId),
});

// "Push now": one worker round for this network, hosts in backoff included (admins).
export const pushNowOp = operation({
  name: 'networks.pushNow', input: z.object({ networkId: id }),
  permission: 'network.write', scope: (i) => ({ network: i.networkId }),
  run: async (ctx, i) => {
    const result = await runWorkerRound(ctx.db, { networkId: i.networkId, ignoreBackoff: true });
    const [network] = await ctx.db.select({ version: networks.configVersion }).from(networks).where(eq(networks.id, i.networkId));
    await recordAudit(ctx.db, ctx.actor, {
      projectId: ctx.projectId, action: 'network.push', resourceType: 'network', resourceId: i.networkId, details: result,
    });
    return { ...result, configVersion: network?.version ?? null };
  },
});

// How far the network's latest change has got: applied by X of Y hosts, in Z s, and who lags and why.
export const networkConvergenceOp = operation({
  name: 'networks.convergence', input: z.object({ networkId: z.string().regex(idPattern, 'Not a valid id.') }),
  permission: 'project.read', scope: (i) => ({ network: i.networkId }),
  run: (ctx, i) => networkConvergence(ctx.db, i.networkId),
});
