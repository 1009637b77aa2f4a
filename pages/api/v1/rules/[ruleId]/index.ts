import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { deleteRuleOp } from '@/lib/server/firewall/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/rules/[ruleId]', {
  // DELETE /api/v1/rules/{id}: delete a permanent rule
  DELETE: apiRoute(deleteRuleOp, { body: false }),
});
