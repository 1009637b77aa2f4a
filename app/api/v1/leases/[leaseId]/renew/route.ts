import { apiRoute } from '@/lib/http/api';
import { renewLeaseOp } from '@/lib/firewall/operations';

// POST /api/v1/leases/{id}/renew: the lease ends 24 hours from now
export const POST = apiRoute(renewLeaseOp, { body: false, present: ({ id, ip, expiresAt }) => ({ id, ip, expiresAt }) });
