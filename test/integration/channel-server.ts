import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveAgentChannel } from '../../lib/server/http/direct-agent';

/**
 * The agent channel's routes behind a plain HTTP server on loopback, through the dispatcher
 * server.ts puts ahead of Next (lib/server/http/direct-agent.ts). `stop()` drops open
 * long-polls, as a restarted replica would.
 */
export async function channelServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    if (!(await serveAgentChannel(req, res))) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found"}}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => { server.closeAllConnections(); await new Promise<void>((r) => server.close(() => r())); },
  };
}
