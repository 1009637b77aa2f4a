import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { createProjectOp, listProjectsOp } from '@/lib/server/projects/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/projects', {
  // GET /api/v1/projects: the caller's projects with the caller's role
  GET: apiRoute(listProjectsOp, { body: false, present: (items) => ({ items }) }),
  // POST /api/v1/projects: create a project; the caller is its owner
  POST: apiRoute(createProjectOp, { status: 201 }),
});
