import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { createNetworkOp, listNetworksOp } from '@/lib/server/networks/operations';

export const config = { api: { bodyParser: false } };

const filters = (url: URL) => ({ tag: url.searchParams.get('tag') ?? undefined, q: url.searchParams.get('q') ?? undefined });

export default apiRoutes('/api/v1/projects/[projectId]/networks', {
  // GET /api/v1/projects/{pj}/networks: the project's networks (?tag=, ?q=)
  GET: apiRoute(listNetworksOp, { body: false, query: filters, present: (items) => ({ items }) }),
  // POST /api/v1/projects/{pj}/networks: create a network
  POST: apiRoute(createNetworkOp, { status: 201 }),
});
