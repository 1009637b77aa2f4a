import { apiRoute } from '@/lib/http/api';
import { createMemberOp, listMembersOp } from '@/lib/members/operations';

// GET /api/v1/networks/{pn}/members: the network's members
export const GET = apiRoute(listMembersOp, { body: false, present: (items) => ({ items }) });
// POST /api/v1/networks/{pn}/members: add a member with its peers
export const POST = apiRoute(createMemberOp, { status: 201 });
