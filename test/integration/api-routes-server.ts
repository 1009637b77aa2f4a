import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NextApiRequest, NextApiResponse } from 'next';

type Route = (req: NextApiRequest, res: NextApiResponse) => Promise<void>;

/**
 * Some of the app's pages/api route files (their default exports, as Next calls them) behind a
 * plain HTTP server on loopback: each is given its path pattern ('/api/v1/networks/[networkId]/push'),
 * and a request that matches gets its parameters in `req.query`, as Next hands them.
 */
export async function apiRoutesServer(routes: Record<string, Route>): Promise<{ url: string; stop: () => Promise<void> }> {
  const table = Object.entries(routes).map(([pattern, route]) => {
    const names = [...pattern.matchAll(/\[(\w+)\]/g)].map((m) => m[1]);
    const re = new RegExp(`^${pattern.replace(/\[\w+\]/g, '([^/]+)')}$`);
    return { names, re, route };
  });
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://api').pathname;
    for (const { names, re, route } of table) {
      const m = re.exec(path);
      if (!m) continue;
      Object.assign(req, { query: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) });
      void route(req as NextApiRequest, res as NextApiResponse);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found"}}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => { server.closeAllConnections(); await new Promise<void>((r) => server.close(() => r())); },
  };
}
