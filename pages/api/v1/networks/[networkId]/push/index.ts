import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { pushNowOp } from '@/lib/server/delivery/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/networks/[networkId]/push', {
  // POST /api/v1/networks/{pn}/push: "Push now", one worker round for this network (admins)
  POST: apiRoute(pushNowOp, { body: false }),
});
