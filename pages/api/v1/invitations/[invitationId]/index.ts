import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { revokeInvitationOp } from '@/lib/server/invitations/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/invitations/[invitationId]', {
  // DELETE /api/v1/invitations/{id}: revoke a pending invitation; its link stops working
  DELETE: apiRoute(revokeInvitationOp, { body: false }),
});
