import { apiRoute } from '@/lib/http/api';
import { deleteRuleOp } from '@/lib/firewall/operations';

// DELETE /api/v1/rules/{id}: delete a permanent rule
export const DELETE = apiRoute(deleteRuleOp, { body: false });
