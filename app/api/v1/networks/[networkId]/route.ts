import { apiRoute } from '@/lib/http/api';
import { deleteNetworkOp, getNetworkOp, updateNetworkOp } from '@/lib/networks/operations';

// GET /api/v1/networks/{pn}: one network
export const GET = apiRoute(getNetworkOp, { body: false, present: ({ role: _role, ...network }) => network });
// PATCH /api/v1/networks/{pn}: label, description, tags
export const PATCH = apiRoute(updateNetworkOp);
// DELETE /api/v1/networks/{pn}: delete with members and peers
export const DELETE = apiRoute(deleteNetworkOp, { body: false });
