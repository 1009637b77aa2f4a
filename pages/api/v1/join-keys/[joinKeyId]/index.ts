import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { revokeJoinKeyOp } from '@/lib/server/join-keys/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/join-keys/[joinKeyId]', {
  // DELETE /api/v1/join-keys/{id}: revokes a join key (admins)
  DELETE: apiRoute(revokeJoinKeyOp),
});
