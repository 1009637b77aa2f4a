import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { getPeerOp } from '@/lib/server/peers/operations';
import { updatePeerOp } from '@/lib/server/peers/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/peers/[peerId]', {
  // GET /api/v1/peers/{id}: one peer
  GET: apiRoute(getPeerOp, { body: false }),
  // PATCH /api/v1/peers/{id}: {publicKey, endpoint} for a peer run by hand, or {gateway: true} (admins)
  PATCH: apiRoute(updatePeerOp),
});
