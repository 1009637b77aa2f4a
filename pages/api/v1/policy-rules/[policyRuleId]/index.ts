import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { deletePolicyRuleOp } from '@/lib/server/policy/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/policy-rules/[policyRuleId]', {
  // DELETE /api/v1/policy-rules/{id}: delete an access-policy rule
  DELETE: apiRoute(deletePolicyRuleOp, { body: false }),
});
