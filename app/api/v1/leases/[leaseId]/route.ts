import { apiRoute } from '@/lib/http/api';
import { revokeLeaseOp } from '@/lib/firewall/operations';

// DELETE /api/v1/leases/{id}: revoke a lease now
export const DELETE = apiRoute(revokeLeaseOp, { body: false });
