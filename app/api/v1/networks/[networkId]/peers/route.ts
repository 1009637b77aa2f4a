import { apiRoute } from '@/lib/http/api';
import { listPeersOp } from '@/lib/members/operations';

const filters = (url: URL) => Object.fromEntries(['q', 'limit', 'after', 'memberId'].flatMap((k) => url.searchParams.has(k) ? [[k, url.searchParams.get(k)]] : []));

// GET /api/v1/networks/{pn}/peers: every peer (?q= search, ?limit=&after= pages)
export const GET = apiRoute(listPeersOp, { body: false, query: filters });
