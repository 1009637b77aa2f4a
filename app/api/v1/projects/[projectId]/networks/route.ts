import { apiRoute } from '@/lib/http/api';
import { createNetworkOp, listNetworksOp } from '@/lib/networks/operations';

const filters = (url: URL) => ({ tag: url.searchParams.get('tag') ?? undefined, q: url.searchParams.get('q') ?? undefined });

// GET /api/v1/projects/{pj}/networks: the project's networks (?tag=, ?q=)
export const GET = apiRoute(listNetworksOp, { body: false, query: filters, present: (items) => ({ items }) });
// POST /api/v1/projects/{pj}/networks: create a network
export const POST = apiRoute(createNetworkOp, { status: 201 });
