import { apiRoute } from '@/lib/http/api';
import { getPeerOp } from '@/lib/members/operations';
import { updatePeerOp } from '@/lib/devices/operations';

// GET /api/v1/peers/{id}: one peer
export const GET = apiRoute(getPeerOp, { body: false });
// PATCH /api/v1/peers/{id}: {publicKey, endpoint} for a peer run by hand, or {gateway: true} (admins)
export const PATCH = apiRoute(updatePeerOp);
