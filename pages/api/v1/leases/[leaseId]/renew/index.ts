import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { renewLeaseOp } from '@/lib/server/firewall/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/leases/[leaseId]/renew', {
  // POST /api/v1/leases/{id}/renew: the lease ends 24 hours from now
  POST: apiRoute(renewLeaseOp, { body: false, present: ({ id, ip, expiresAt }) => ({ id, ip, expiresAt }) }),
});
