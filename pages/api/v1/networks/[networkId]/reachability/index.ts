import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { reachabilityOp } from '@/lib/server/policy/operations';

const question = (url: URL) => Object.fromEntries(['from', 'to', 'port', 'protocol'].flatMap((k) => {
  const v = url.searchParams.get(k);
  return v === null || v === '' ? [] : [[k, v]];
}));

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/networks/[networkId]/reachability', {
  // GET /api/v1/networks/{pn}/reachability?from=&to=&port=&protocol=: {allowed, rule?}
  GET: apiRoute(reachabilityOp, { body: false, query: question }),
});
