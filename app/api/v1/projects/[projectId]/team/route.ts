import { apiRoute } from '@/lib/http/api';
import { addTeamMemberOp, listTeamOp } from '@/lib/projects/operations';

// GET /api/v1/projects/{pj}/team: members and their roles
export const GET = apiRoute(listTeamOp, {
  body: false,
  present: (team) => ({ items: team.map(({ userId, email, name, role }) => ({ userId, email, name, role })) }),
});
// POST /api/v1/projects/{pj}/team: add an existing user with a role
export const POST = apiRoute(addTeamMemberOp, { status: 201 });
