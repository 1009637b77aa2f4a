import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { listPeersOp } from '@/lib/server/peers/operations';

export const config = { api: { bodyParser: false } };

const filters = (url: URL) => Object.fromEntries(['q', 'limit', 'after', 'memberId'].flatMap((k) => url.searchParams.has(k) ? [[k, url.searchParams.get(k)]] : []));

export default apiRoutes('/api/v1/networks/[networkId]/peers', {
  // GET /api/v1/networks/{pn}/peers: every peer (?q= search, ?limit=&after= pages)
  GET: apiRoute(listPeersOp, { body: false, query: filters }),
});
