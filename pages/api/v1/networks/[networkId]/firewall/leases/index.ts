import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { leaseNowOp } from '@/lib/server/firewall/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/networks/[networkId]/firewall/leases', {
  // POST /api/v1/networks/{pn}/firewall/leases: lease the caller's IP (or, for admins, {ip}) for 24 hours
  POST: apiRoute(leaseNowOp, { status: 201, present: ({ id, ip, expiresAt }) => ({ id, ip, expiresAt }) }),
});
