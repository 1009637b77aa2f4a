/**
 * Production and test entry: Next's own request handler behind a plain HTTP server, so that
 * the TCP peer address reaches the app in a header no client can forge (Next itself keeps a
 * client-sent X-Forwarded-For). Checks the environment and migrates before listening.
 *
 * On PostgreSQL it runs one process per core (MESHPLANE_PROCESSES), sharing the port: the
 * app keeps no state in memory that matters (its caches are never stale), and one Node
 * process is CPU-bound under API load. PGlite allows a single process.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import next from 'next';
import { env, EnvError } from './lib/env';
import { getDb, openDatabase, setDb } from './lib/db/client';
import { socketAddressHeader } from './lib/http/client-ip';
import { installClusterMetrics, serveMetrics } from './lib/metrics/endpoint';
import { dbPoolMax } from './lib/metrics/process-metrics';
import { poolMax } from './lib/db/client';

const dev = process.argv.includes('--dev');
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? '0.0.0.0';

function checkedEnv() {
  try {
    return env();
  } catch (e) {
    if (e instanceof EnvError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}

function processCount(): number {
  const e = checkedEnv();
  const wanted = Number(process.env.MESHPLANE_PROCESSES ?? (e.DATABASE_URL && !dev ? availableParallelism() : 1));
  if (!Number.isInteger(wanted) || wanted < 1) {
    console.error('MESHPLANE_PROCESSES: must be a whole number ≥ 1');
    process.exit(1);
  }
  if (wanted > 1 && !e.DATABASE_URL) {
    console.error('MESHPLANE_PROCESSES > 1 needs DATABASE_URL: the embedded database allows one process.');
    process.exit(1);
  }
  return wanted;
}

async function serve(index: number) {
  const e = checkedEnv();
  // In a cluster the primary has migrated (supervise); each process only connects.
  if (cluster.isWorker) setDb(await openDatabase(e.DATABASE_URL, { migrated: true }));
  else await getDb();
  installClusterMetrics();
  dbPoolMax.set(e.DATABASE_URL ? poolMax : 1);
  const app = next({ dev, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  createServer(async (req, res) => {
    req.headers[socketAddressHeader] = req.socket.remoteAddress ?? '';
    // /metrics is answered here, next to the cluster's plumbing (lib/metrics/endpoint.ts).
    if ((req.url === '/metrics' || req.url?.startsWith('/metrics?')) && await serveMetrics(req, res)) return;
    handle(req, res);
  }).listen(port, hostname, () => {
    if (index === 0) console.log(`Meshplane is listening on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`);
  });
  // One timer is enough: rounds are safe to overlap, but there is no point in two.
  if (index === 0 && (dev || process.env.MESHPLANE_WORKER_TIMER === '1')) {
    const { startWorkerTimer } = await import('./lib/pushes/timer');
    startWorkerTimer();
  }
}

async function supervise(count: number) {
  // Migrate once, before any process takes requests.
  const db = await openDatabase(checkedEnv().DATABASE_URL);
  await db.close();
  installClusterMetrics(); // sums the processes' figures for whichever one serves /metrics
  let stopping = false;
  const fork = (index: number) => cluster.fork({ MESHPLANE_PROCESS_INDEX: String(index) }).on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`server process ${index} exited (${signal ?? code}); starting another`);
    setTimeout(() => fork(index), 1000);
  });
  for (let i = 0; i < count; i++) fork(i);
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    setTimeout(() => process.exit(0), 3000).unref();
    cluster.disconnect(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const run = cluster.isPrimary
  ? (() => { const count = processCount(); return count > 1 ? supervise(count) : serve(0); })()
  : (process.on('disconnect', () => process.exit(0)), serve(Number(process.env.MESHPLANE_PROCESS_INDEX ?? 0)));

run.catch((e) => {
  console.error(e);
  process.exit(1);
});
