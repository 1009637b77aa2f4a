import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { networkConvergenceOp } from '@/lib/server/delivery/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/networks/[networkId]/convergence', {
  // GET /api/v1/networks/{pn}/convergence: {version, applied, total, complete, seconds, offline, lagging}
  GET: apiRoute(networkConvergenceOp, { body: false }),
});
