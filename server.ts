/**
 * Production and test entry: Next's own request handler behind a plain HTTP server, so that
 * the TCP peer address reaches the app in a header no client can forge (Next itself keeps a
 * client-sent X-Forwarded-For). Checks the environment and migrates before listening.
 *
 * On PostgreSQL it runs one process per core (MESHPLANE_PROCESSES), sharing the port: the
 * app keeps no state in memory that matters (its caches are never stale), and one Node
 * process is CPU-bound under API load. A PostgreSQL that is not up yet is waited for.
 *
 * PGlite allows a single process: the server holds its data dir's lock (a second server or
 * CLI is refused, naming this one) and runs CLI commands sent over a local socket.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import next from 'next';
import { env, EnvError } from './lib/server/env';
import { openDatabase, setDb, type Handle } from './lib/server/db/client';
import { DataDirInUseError } from './lib/server/db/data-dir-lock';
import { DatabaseStartError, openWhenReachable } from './lib/server/db/wait';
import { serveCliSocket, socketPathFits, socketPathOf } from './lib/server/cli/local-socket';
import { socketAddressHeader } from './lib/server/http/client-ip';
import { runCommand } from './scripts/cli';
import { installClusterMetrics, serveMetrics } from './lib/server/metrics/endpoint';
import { dbPoolMax } from './lib/server/metrics/process-metrics';
import { poolMax } from './lib/server/db/client';
import { directApi } from './lib/server/http/direct-api';
import { serveAgentChannel } from './lib/server/http/direct-agent';
import { serveAgentStream } from './lib/server/http/agent-stream';
import { apiDocs } from './lib/server/openapi/registry';

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

/** The database, waited for if it is a PostgreSQL not up yet. `migrated`: a cluster's primary ran the migrations. */
function openForServer(url: string | undefined, migrated = false): Promise<Handle> {
  if (!url) return openDatabase(undefined, { kind: 'server' });
  return openWhenReachable(url, () => openDatabase(url, { migrated }));
}

/** PGlite: `npm run cli` runs its commands in this process, sent over the data dir's socket. */
async function offerCliSocket(db: Handle): Promise<{ close: () => void } | undefined> {
  const socket = socketPathOf(checkedEnv().MESHPLANE_DATA_DIR);
  if (!socketPathFits(socket)) {
    console.error(`${socket} is too long for a Unix socket: \`npm run cli\` refuses while this server runs (choose a shorter MESHPLANE_DATA_DIR)`);
    return undefined;
  }
  try {
    const server = await serveCliSocket(socket, (argv, io) => runCommand(argv, db, io));
    db.lock?.update({ socket });
    return server;
  } catch (e) {
    // The app still serves; the CLI then refuses, naming this process.
    console.error(`cannot listen on ${socket} (${(e as Error).message}): \`npm run cli\` refuses while this server runs`);
    return undefined;
  }
}

/** PGlite closed and its lock released on SIGTERM/SIGINT: the next start needs no recovery. Bounded, should it hang. */
function closeOnSignal(db: Handle, socket: { close: () => void } | undefined) {
  const stop = () => {
    socket?.close();
    setTimeout(() => process.exit(0), 5000).unref();
    db.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * In production Next takes the config its build wrote out, as its standalone server does (the
 * variable is how that server hands it over). Left to load next.config.ts itself, it loads
 * SWC's native compiler to transpile the file: 24 MB of resident memory for the server's whole
 * life (issue 19). Without a build, Next says so itself.
 */
function useBuiltNextConfig() {
  if (dev || process.env.__NEXT_PRIVATE_STANDALONE_CONFIG) return;
  const file = path.join(process.cwd(), process.env.NEXT_DIST_DIR || '.next', 'required-server-files.json');
  try {
    process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify((JSON.parse(readFileSync(file, 'utf8')) as { config: unknown }).config);
  } catch { /* not built */ }
}

async function serve(index: number) {
  const e = checkedEnv();
  useBuiltNextConfig();
  const app = next({ dev, hostname, port });
  const preparing = app.prepare();
  // In a cluster the primary has migrated (supervise); each process only connects.
  const db = await openForServer(e.DATABASE_URL, cluster.isWorker);
  setDb(db);
  if (db.lock) closeOnSignal(db, await offerCliSocket(db));
  // On PostgreSQL a stop is an exit, not a death by signal, so exit hooks run (--cpu-prof
  // writes its profile); a second signal while exiting changes nothing.
  else process.on('SIGTERM', () => process.exit(0));
  installClusterMetrics();
  dbPoolMax.set(e.DATABASE_URL ? poolMax : 1);
  await preparing;
  const handle = app.getRequestHandler();
  // The JSON API's routes answered here, ahead of Next's router (lib/server/http/direct-api.ts);
  // under --dev Next serves them, so that editing a route reloads it.
  const api = dev ? null : directApi(apiDocs.map((d) => d.route), { hostname, port });
  createServer(async (req, res) => {
    req.headers[socketAddressHeader] = req.socket.remoteAddress ?? '';
    // /metrics is answered here, next to the cluster's plumbing (lib/server/metrics/endpoint.ts).
    if ((req.url === '/metrics' || req.url?.startsWith('/metrics?')) && await serveMetrics(req, res)) return;
    if (api) {
      try {
        if (await api(req, res) || await serveAgentChannel(req, res)) return;
      } catch (e) {
        // A route answers its own errors; this is a failure while sending the answer.
        console.error(e);
        if (!res.headersSent) { res.statusCode = 500; res.end(); } else res.destroy();
        return;
      }
    }
    handle(req, res);
  }).on('upgrade', (req, socket, head) => {
    req.headers[socketAddressHeader] = req.socket.remoteAddress ?? '';
    // The agent's channel as a WebSocket; under --dev, Next's own upgrades (hot reload) go on to Next.
    if (serveAgentStream(req, socket, head)) return;
    if (dev) app.getUpgradeHandler()(req, socket, head);
    else socket.destroy();
  }).listen(port, hostname, () => {
    if (index === 0) console.log(`Meshplane is listening on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`);
  });
  // Every process listens for changes (a change wakes delivery at once, on every replica);
  // one safety-net timer per replica is enough: rounds are safe to overlap, but there is no point in two.
  // MESHPLANE_LISTEN=0: no LISTEN (e.g. only a PgBouncer in transaction mode is reachable): the timer and cron deliver.
  if (process.env.MESHPLANE_LISTEN !== '0') {
    const { startDelivery } = await import('./lib/server/delivery/wake');
    startDelivery(db).catch((e) => console.error('cannot LISTEN for changes: hosts get them from the timer only', e));
  }
  if (index === 0 && process.env.MESHPLANE_WORKER_TIMER !== '0') {
    const { startWorkerTimer } = await import('./lib/server/delivery/timer');
    startWorkerTimer(dev);
  }
}

async function supervise(count: number) {
  // Migrate once, before any process takes requests.
  const db = await openForServer(checkedEnv().DATABASE_URL);
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
  // Expected refusals are one clear line; anything else keeps its stack.
  console.error(e instanceof DataDirInUseError || e instanceof DatabaseStartError ? e.message : e);
  process.exit(1);
});
