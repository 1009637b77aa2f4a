import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { memberDomainNamesOp } from '@/lib/server/members/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/members/[memberId]/domain-names', {
  // GET /api/v1/members/{id}/domain-names: every name of the member with its addresses
  GET: apiRoute(memberDomainNamesOp, { body: false, present: (items) => ({ items }) }),
});
