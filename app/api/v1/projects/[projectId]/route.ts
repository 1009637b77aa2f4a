import { apiRoute } from '@/lib/http/api';
import { deleteProjectOp, getProjectOp, renameProjectOp } from '@/lib/projects/operations';

// GET /api/v1/projects/{pj}: one project
export const GET = apiRoute(getProjectOp, { body: false });
// PATCH /api/v1/projects/{pj}: rename
export const PATCH = apiRoute(renameProjectOp);
// DELETE /api/v1/projects/{pj}: delete with everything in it
export const DELETE = apiRoute(deleteProjectOp, { body: false });
