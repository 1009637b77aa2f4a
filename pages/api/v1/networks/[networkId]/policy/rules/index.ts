import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { addPolicyRuleOp, listPolicyRulesOp } from '@/lib/server/policy/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/networks/[networkId]/policy/rules', {
  // GET /api/v1/networks/{pn}/policy/rules: the allow rules
  GET: apiRoute(listPolicyRulesOp, { body: false, present: (items) => ({ items }) }),
  // POST /api/v1/networks/{pn}/policy/rules: add an allow rule {from, to, protocol, ports, note?}
  POST: apiRoute(addPolicyRuleOp, { status: 201, present: ({ configVersion: _v, ...rule }) => rule }),
});
