import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { deleteNetworkOp, getNetworkOp, updateNetworkOp } from '@/lib/server/networks/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/networks/[networkId]', {
  // GET /api/v1/networks/{pn}: one network
  GET: apiRoute(getNetworkOp, { body: false, present: ({ role: _role, ...network }) => network }),
  // PATCH /api/v1/networks/{pn}: label, description, tags
  PATCH: apiRoute(updateNetworkOp),
  // DELETE /api/v1/networks/{pn}: delete with members and peers
  DELETE: apiRoute(deleteNetworkOp, { body: false }),
});
