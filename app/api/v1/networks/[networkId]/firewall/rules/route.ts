import { apiRoute } from '@/lib/http/api';
import { addRuleOp } from '@/lib/firewall/operations';

// POST /api/v1/networks/{pn}/firewall/rules: add a permanent rule {cidr, note?, confirmBroad?}
export const POST = apiRoute(addRuleOp, { status: 201, present: ({ configVersion: _v, ...rule }) => rule });
