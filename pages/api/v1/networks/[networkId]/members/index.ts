import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { createMemberOp, listMembersOp } from '@/lib/server/members/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/networks/[networkId]/members', {
  // GET /api/v1/networks/{pn}/members: the network's members
  GET: apiRoute(listMembersOp, { body: false, present: (items) => ({ items }) }),
  // POST /api/v1/networks/{pn}/members: add a member with its peers
  POST: apiRoute(createMemberOp, { status: 201 }),
});
