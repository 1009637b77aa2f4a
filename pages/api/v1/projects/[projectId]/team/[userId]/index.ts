import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { changeRoleOp, removeTeamMemberOp } from '@/lib/server/projects/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/projects/[projectId]/team/[userId]', {
  // PATCH /api/v1/projects/{pj}/team/{userId}: change a role (not the last owner's)
  PATCH: apiRoute(changeRoleOp),
  // DELETE /api/v1/projects/{pj}/team/{userId}: remove from the team (not the last owner)
  DELETE: apiRoute(removeTeamMemberOp, { body: false }),
});
