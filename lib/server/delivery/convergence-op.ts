import { z } from 'zod';
import { operation } from '../auth/gate';
import { idPattern } from '../../core/ids';
import { networkConvergence } from './convergence-read';

// How far the network's latest change has got: applied by X of Y hosts, in Z s, and who lags and why.
export const networkConvergenceOp = operation({
  name: 'networks.convergence', input: z.object({ networkId: z.string().regex(idPattern, 'Not a valid id.') }),
  permission: 'project.read', scope: (i) => ({ network: i.networkId }),
  run: (ctx, i) => networkConvergence(ctx.db, i.networkId),
});
