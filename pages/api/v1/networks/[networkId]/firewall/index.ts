import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { getFirewallOp } from '@/lib/server/firewall/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/networks/[networkId]/firewall', {
  // GET /api/v1/networks/{pn}/firewall: permanent rules and active leases
  GET: apiRoute(getFirewallOp, { body: false, present: ({ rules, leases }) => ({ rules, leases: leases.map(({ canRenew: _c, ...l }) => l) }) }),
});
