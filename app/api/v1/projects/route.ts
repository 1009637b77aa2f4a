import { apiRoute } from '@/lib/http/api';
import { createProjectOp, listProjectsOp } from '@/lib/projects/operations';

// GET /api/v1/projects: the caller's projects with the caller's role
export const GET = apiRoute(listProjectsOp, { body: false, present: (items) => ({ items }) });
// POST /api/v1/projects: create a project; the caller is its owner
export const POST = apiRoute(createProjectOp, { status: 201 });
