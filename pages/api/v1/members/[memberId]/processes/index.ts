import { apiRoute, apiRoutes } from '@/lib/http/api';
import { scaleMemberOp } from '@/lib/members/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/members/[memberId]/processes', {
  // PUT /api/v1/members/{id}/processes: {"web": 3} or {"instances": 3}
  PUT: apiRoute(scaleMemberOp, { wrapBody: 'scale' }),
});
