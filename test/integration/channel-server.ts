import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { serveAgentChannel } from '../../lib/server/http/direct-agent';
import { serveAgentStream } from '../../lib/server/http/agent-stream';
import { socketAddressHeader } from '../../lib/server/http/client-ip';

/**
 * The agent channel's routes behind a plain HTTP server on loopback, through the dispatcher
 * server.ts puts ahead of Next (lib/server/http/direct-agent.ts). `stop()` drops open
 * long-polls and streams, as a restarted replica would. `calls`: every request's method and
 * path (an upgrade as UPGRADE), in order. `upgrades: false`: a proxy that does not pass them;
 * `holdMs`: a stream's hold, shortened.
 */
export async function channelServer({ upgrades = true, holdMs }: { upgrades?: boolean; holdMs?: number } = {}): Promise<{ url: string; calls: string[]; stop: () => Promise<void> }> {
  const calls: string[] = [];
  const upgraded = new Set<Duplex>(); // detached from the server: closeAllConnections does not see them
  const server = http.createServer(async (req, res) => {
    calls.push(`${req.method} ${req.url?.split('?')[0]}`);
    if (!(await serveAgentChannel(req, res))) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found"}}');
  });
  // upgrades: false is a proxy that does not pass them (node then serves the request as any other: 404).
  if (upgrades) server.on('upgrade', (req, socket, head) => {
    calls.push(`UPGRADE ${req.url?.split('?')[0]}`);
    req.headers[socketAddressHeader] = req.socket.remoteAddress ?? '';
    upgraded.add(socket.once('close', () => upgraded.delete(socket)));
    if (!serveAgentStream(req, socket, head, { holdMs })) socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: async () => { server.closeAllConnections(); for (const s of upgraded) s.destroy(); await new Promise<void>((r) => server.close(() => r())); },
  };
}
