import { apiRoute } from '@/lib/http/api';
import { deleteMemberOp, getMemberOp, updateMemberOp } from '@/lib/members/operations';

// GET /api/v1/members/{id}: one member with its peers
export const GET = apiRoute(getMemberOp, { body: false, present: ({ role: _role, ...member }) => member });
// PATCH /api/v1/members/{id}: label, tags
export const PATCH = apiRoute(updateMemberOp);
// DELETE /api/v1/members/{id}: delete with its peers
export const DELETE = apiRoute(deleteMemberOp, { body: false });
