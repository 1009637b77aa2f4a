import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { deleteMemberOp, getMemberOp, updateMemberOp } from '@/lib/server/members/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/members/[memberId]', {
  // GET /api/v1/members/{id}: one member with its peers
  GET: apiRoute(getMemberOp, { body: false, present: ({ role: _role, ...member }) => member }),
  // PATCH /api/v1/members/{id}: label, tags
  PATCH: apiRoute(updateMemberOp),
  // DELETE /api/v1/members/{id}: delete with its peers
  DELETE: apiRoute(deleteMemberOp, { body: false }),
});
