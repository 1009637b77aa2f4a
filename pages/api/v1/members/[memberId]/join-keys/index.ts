import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { createJoinKeyOp, listJoinKeysOp } from '@/lib/server/join-keys/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/members/[memberId]/join-keys', {
  // GET /api/v1/members/{id}/join-keys: the member's join keys with uses and last use, never the key (admins)
  GET: apiRoute(listJoinKeysOp),
  // POST /api/v1/members/{id}/join-keys: a reusable join key, shown once (admins)
  POST: apiRoute(createJoinKeyOp, { status: 201 }),
});
