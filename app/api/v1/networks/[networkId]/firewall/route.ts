import { apiRoute } from '@/lib/http/api';
import { getFirewallOp } from '@/lib/firewall/operations';

// GET /api/v1/networks/{pn}/firewall: permanent rules and active leases
export const GET = apiRoute(getFirewallOp, { body: false, present: ({ rules, leases }) => ({ rules, leases: leases.map(({ canRenew: _c, ...l }) => l) }) });
