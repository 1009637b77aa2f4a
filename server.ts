/**
 * Production and test entry: Next's own request handler behind a plain HTTP server, so that
 * the TCP peer address reaches the app in a header no client can forge (Next itself keeps a
 * client-sent X-Forwarded-For). Checks the environment and migrates before listening.
 */
import { createServer } from 'node:http';
import next from 'next';
import { env, EnvError } from './lib/env';
import { getDb } from './lib/db/client';
import { socketAddressHeader } from './lib/http/client-ip';

const dev = process.argv.includes('--dev');
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? '0.0.0.0';

async function main() {
  try {
    env();
  } catch (e) {
    if (e instanceof EnvError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  await getDb();
  const app = next({ dev, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  createServer((req, res) => {
    req.headers[socketAddressHeader] = req.socket.remoteAddress ?? '';
    handle(req, res);
  }).listen(port, hostname, () => {
    console.log(`Meshplane is listening on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`);
  });
  if (dev || process.env.MESHPLANE_WORKER_TIMER === '1') {
    const { startWorkerTimer } = await import('./lib/pushes/timer');
    startWorkerTimer();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
