import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { addTeamMemberOp, listTeamOp } from '@/lib/server/projects/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/projects/[projectId]/team', {
  // GET /api/v1/projects/{pj}/team: members and their roles
  GET: apiRoute(listTeamOp, {
    body: false,
    present: (team) => ({ items: team.map(({ userId, email, name, role }) => ({ userId, email, name, role })) }),
  }),
  // POST /api/v1/projects/{pj}/team: add an existing user with a role
  POST: apiRoute(addTeamMemberOp, { status: 201 }),
});
