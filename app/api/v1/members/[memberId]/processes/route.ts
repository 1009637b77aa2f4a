import { apiRoute } from '@/lib/http/api';
import { scaleMemberOp } from '@/lib/members/operations';

// PUT /api/v1/members/{id}/processes: {"web": 3} or {"instances": 3}
export const PUT = apiRoute(scaleMemberOp, { wrapBody: 'scale' });
