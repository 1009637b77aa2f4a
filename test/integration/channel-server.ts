import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveAgentChannel } from '../../lib/server/http/direct-agent';

/**
 * The agent channel's routes behind a plain HTTP server on loopback, through the dispatcher
 * server.ts puts ahead of Next (lib/server/http/direct-agent.ts). `stop()` drops open
 * long-polls, as a restarted replica would. `calls`: every request's method and path, in order.
 */
export async function channelServer(): Promise<{ url: string; calls: string[]; stop: () => Promise<void> }> {
  const calls: string[] = [];
  const server = http.createServer(async (req, res) => {
    calls.push(`${req.method} ${req.url?.split('?')[0]}`);
    if (!(await serveAgentChannel(req, res))) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found"}}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: async () => { server.closeAllConnections(); await new Promise<void>((r) => server.close(() => r())); },
  };
}
