import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerRoute, nextRoute, reportRoute } from '../../lib/server/delivery/routes';

/**
 * The agent channel's two routes (the same functions the app's route files export) behind a
 * plain HTTP server on loopback, each request turned into a web Request as Next does, with
 * its signal aborted when the client goes away. `stop()` drops open long-polls, as a
 * restarted replica would.
 */
export async function channelServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = `http://${req.headers.host}${req.url}`;
      const request = new Request(url, {
        method: req.method, headers: req.headers as Record<string, string>, signal: abort.signal,
        ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
      });
      const path = new URL(url).pathname;
      const route = path === '/api/agent/v1/next' && req.method === 'GET' ? nextRoute
        : path === '/api/agent/v1/answer' && req.method === 'POST' ? answerRoute
          : path === '/api/agent/v1/report' && req.method === 'POST' ? reportRoute : null;
      const answer = route ? await route(request) : Response.json({ error: { code: 'not_found' } }, { status: 404 });
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => { server.closeAllConnections(); await new Promise<void>((r) => server.close(() => r())); },
  };
}
