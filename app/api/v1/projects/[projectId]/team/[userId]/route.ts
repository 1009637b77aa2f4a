import { apiRoute } from '@/lib/http/api';
import { changeRoleOp, removeTeamMemberOp } from '@/lib/projects/operations';

// PATCH /api/v1/projects/{pj}/team/{userId}: change a role (not the last owner's)
export const PATCH = apiRoute(changeRoleOp);
// DELETE /api/v1/projects/{pj}/team/{userId}: remove from the team (not the last owner)
export const DELETE = apiRoute(removeTeamMemberOp, { body: false });
