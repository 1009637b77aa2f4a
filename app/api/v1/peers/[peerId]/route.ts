import { apiRoute } from '@/lib/http/api';
import { getPeerOp } from '@/lib/members/operations';

// GET /api/v1/peers/{id}: one peer
export const GET = apiRoute(getPeerOp, { body: false });
