import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { scaleMemberOp } from '@/lib/server/members/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/members/[memberId]/processes', {
  // PUT /api/v1/members/{id}/processes: {"web": 3} or {"instances": 3}
  PUT: apiRoute(scaleMemberOp, { wrapBody: 'scale' }),
});
