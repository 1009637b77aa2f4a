import { apiRoute } from '@/lib/http/api';
import { leaseNowOp } from '@/lib/firewall/operations';

// POST /api/v1/networks/{pn}/firewall/leases: lease the caller's IP (or, for admins, {ip}) for 24 hours
export const POST = apiRoute(leaseNowOp, { status: 201, present: ({ id, ip, expiresAt }) => ({ id, ip, expiresAt }) });
