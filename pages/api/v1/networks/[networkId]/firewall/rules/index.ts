import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { addRuleOp } from '@/lib/server/firewall/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/networks/[networkId]/firewall/rules', {
  // POST /api/v1/networks/{pn}/firewall/rules: add a permanent rule {cidr, note?, confirmBroad?}
  POST: apiRoute(addRuleOp, { status: 201, present: ({ configVersion: _v, ...rule }) => rule }),
});
