import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { getPolicyOp, setPolicyModeOp } from '@/lib/server/policy/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/networks/[networkId]/policy', {
  // GET /api/v1/networks/{pn}/policy: the access-policy mode and rules
  GET: apiRoute(getPolicyOp, { body: false, present: ({ role: _role, ...policy }) => policy }),
  // PUT /api/v1/networks/{pn}/policy: {mode: open|isolated}
  PUT: apiRoute(setPolicyModeOp, { present: ({ mode }) => ({ mode }) }),
});
