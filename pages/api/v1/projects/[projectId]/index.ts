import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { deleteProjectOp, getProjectOp, renameProjectOp } from '@/lib/server/projects/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/projects/[projectId]', {
  // GET /api/v1/projects/{pj}: one project
  GET: apiRoute(getProjectOp, { body: false }),
  // PATCH /api/v1/projects/{pj}: rename
  PATCH: apiRoute(renameProjectOp),
  // DELETE /api/v1/projects/{pj}: delete with everything in it
  DELETE: apiRoute(deleteProjectOp, { body: false }),
});
