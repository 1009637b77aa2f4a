import { apiRoute } from '@/lib/http/api';
import { memberDomainNamesOp } from '@/lib/members/operations';

// GET /api/v1/members/{id}/domain-names: every name of the member with its addresses
export const GET = apiRoute(memberDomainNamesOp, { body: false, present: (items) => ({ items }) });
