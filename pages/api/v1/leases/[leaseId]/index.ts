import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { revokeLeaseOp } from '@/lib/server/firewall/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/leases/[leaseId]', {
  // DELETE /api/v1/leases/{id}: revoke a lease now
  DELETE: apiRoute(revokeLeaseOp, { body: false }),
});
