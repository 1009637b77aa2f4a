/*
 * `npm run bench [-- --quick]`: issue 7's targets (and issue 3's and 6's figures) measured
 * against the real PostgreSQL, printed as one table. Asserts nothing: exits 0 whatever the
 * figures, non-zero only when the harness itself fails. See bench/README.md.
 *
 *   --quick          500 hosts instead of 5,000 (under 2 minutes)
 *   --hosts N        any other size
 *   --talking K|all  how many peers each stub agent reports as having shaken hands (default 8)
 *   --only A,B       only these sections (main, channel, scale, agent); the setup always runs
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; the
 * benchmark creates `meshplane_bench_<random>` there and drops it at the end. The app must be
 * built in NEXT_DIST_DIR (default .next-bench; built first when missing or older than the sources).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { startAppServer, stopAllAppServers, type AppServer } from './app-server';
import { ensureBuilt } from './build';
import { createBenchDatabase, defaultAdminUrl, type BenchDatabase } from './database';
import { Api, signIn, timedPage, type Session } from './http';
import { Child } from './ipc';
import { cpuByPid, cpuSince, freePort, mb, median, ms, now, percentile, processTree } from './stats';
import type { Search } from './browser';
import { measureAgentRss } from './agent-rss';
import { scaleRows } from './scale-rows';
import { startWriter } from './hot-writer';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const hostsArg = argv.indexOf('--hosts');
const N = hostsArg >= 0 ? Number(argv[hostsArg + 1]) : quick ? 500 : 5000;
const talkingArg = argv.indexOf('--talking');
const talking: number | 'all' = talkingArg < 0 ? 8 : argv[talkingArg + 1] === 'all' ? 'all' : Number(argv[talkingArg + 1]);
// Sections: every phase belongs to one (phase()'s third argument, 'main' when not given).
const onlyArg = argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set(argv[onlyArg + 1]?.split(',')) : null;
const distDir = process.env.NEXT_DIST_DIR || '.next-bench';
const adminUrl = process.env.DATABASE_URL || defaultAdminUrl;
const chromiumPath = process.env.BENCH_CHROMIUM || '/usr/bin/chromium';
const issue3Peers = 1000;
const reps = quick ? 15 : 30; // sequential requests per latency figure (after warm-up)

if (!Number.isInteger(N) || N < 100 || N % 100 !== 0) {
  console.error('--hosts must be a multiple of 100, at least 100');
  process.exit(2);
}
if (talking !== 'all' && !(Number.isInteger(talking) && talking >= 0)) {
  console.error('--talking must be a count of peers or "all"');
  process.exit(2);
}

const log = (msg: string) => console.error(`[bench ${((now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
const started = now();
const loadBefore = os.loadavg()[0].toFixed(2);

// ---- the table ------------------------------------------------------------------------

type Row = { what: string; target?: { value: number; text: string }; measured: number | null; shown: string; notes: string };
const rows: Row[] = [];
const failures: string[] = [];

function row(what: string, target: Row['target'], measured: number | null, shown: string, notes = '') {
  rows.push({ what, target, measured, shown, notes });
}
const msTarget = (value: number) => ({ value, text: `≤ ${ms(value)}` });

function printTable() {
  const lines = [
    '| what | target | measured | ratio | notes |',
    '|---|---|---|---|---|',
    ...rows.map((r) => {
      const ratio = r.target && r.measured !== null && Number.isFinite(r.measured)
        ? `${(r.measured / r.target.value).toFixed(2)} ${r.measured <= r.target.value ? '✓' : '✗'}`
        : '—';
      return `| ${r.what} | ${r.target?.text ?? '—'} | ${r.shown} | ${ratio} | ${r.notes} |`;
    }),
  ];
  console.log(lines.join('\n'));
}

// ---- cleanup, whatever happens --------------------------------------------------------

let database: BenchDatabase | null = null;
let server: AppServer | null = null;
let closeDb: (() => Promise<void>) | null = null;
const children: Child[] = [];
let tmp = '';
let cleaning: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of children) await c.stop().catch(() => {});
    await server?.stop().catch(() => {});
    await stopAllAppServers().catch(() => {});
    await closeDb?.().catch(() => {});
    if (database) {
      await database.drop().then(() => log(`dropped ${database!.name}`), (e) => console.error(`could not drop ${database!.name}: ${e}`));
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
// A hard ceiling: the full run takes a few minutes; something stuck must not hold the database.
const watchdog = setTimeout(() => {
  console.error('bench: over its time limit, giving up');
  void cleanup().finally(() => process.exit(1));
}, (quick ? 10 : 40) * 60_000);
watchdog.unref();

async function phase(name: string, work: () => Promise<void>, section: string | string[] = 'main') {
  if (only && ![section].flat().some((s) => only.has(s))) return;
  log(`${name}…`);
  try {
    await work();
  } catch (e) {
    failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    console.error(`bench: ${name} failed:`, e);
  }
}

// ---- the run --------------------------------------------------------------------------

async function main() {
  ensureBuilt(root, distDir, log);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'meshplane-bench-'));
  mkdirSync(path.join(tmp, 'data'));
  database = await createBenchDatabase(adminUrl);
  log(`database ${database.name}, ${N} hosts${quick ? ' (--quick)' : ''}`);

  // One environment for this process, the app server and the children: same database, same
  // keys (the signing key is generated once and sealed with MESHPLANE_ENCRYPTION_KEY).
  const appEnv: Record<string, string> = {
    DATABASE_URL: database.url,
    AUTH_SECRET: randomBytes(32).toString('hex'),
    WORKER_SECRET: randomBytes(16).toString('hex'),
    MESHPLANE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MESHPLANE_DATA_DIR: path.join(tmp, 'data'),
    NEXT_DIST_DIR: distDir,
    MESHPLANE_AGENT_URL_ALLOW: '127.0.0.1/32', // the stub agents listen on loopback
  };
  Object.assign(process.env, appEnv);

  const { openDatabase } = await import('../lib/server/db/client');
  const { createUser } = await import('../lib/server/users/users');
  const { createApiToken } = await import('../lib/server/tokens/api-tokens');
  const { scaleMember } = await import('../lib/server/members/members');
  const handle = await openDatabase(database.url); // migrates
  closeDb = handle.close;
  const db = handle.db;
  const email = 'bench@example.test';
  const password = randomBytes(12).toString('hex');
  const user = await createUser(db, { email, password, name: 'Bench' });
  const { token } = await createApiToken(db, user.id, 'bench');
  const actor = { userId: user.id, email, ip: null };

  const port = await freePort(3500, 3549);
  log(`starting the built app (${distDir}) on 127.0.0.1:${port}`);
  server = await startAppServer({ root, port, env: appEnv, logFile: path.join(tmp, 'server.log') });
  const base = server.url;
  const api = new Api(base, token);
  const session: Session = await signIn(base, email, password);
  const project = await api.call<{ id: string }>('POST', '/api/v1/projects', { name: 'bench' });
  const pagePath = (networkId: string) => `/projects/${project.id}/networks/${networkId}`;
  // Bulk loads are followed by ANALYZE, as autovacuum would within a minute: the figures are
  // those of a database with statistics (without, the peers page query sorts every peer).
  const analyze = async () => { await db.execute(sql`analyze`); };
  const beforeAnalyze: number[] = [];
  // CPU of the app server and of this database's PostgreSQL backends, per request of a phase.
  const cpuReading = async () => {
    const backends = await db.execute(sql`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`) as unknown as { pid: number }[];
    return { server: cpuByPid(processTree(server!.pid)), pg: cpuByPid(backends.map((b) => b.pid)) };
  };
  const cpuPerRequest = async (before: Awaited<ReturnType<typeof cpuReading>>, requests: number) => {
    const after = await cpuReading();
    return `CPU per request: server ${ms(cpuSince(before.server, after.server) / requests)}, PostgreSQL ${ms(cpuSince(before.pg, after.pg) / requests)}`;
  };

  async function pageTimes(networkId: string, count: number) {
    for (let i = 0; i < 3; i++) await timedPage(base, pagePath(networkId), session); // warm-up
    const list: number[] = [];
    let bytes = 0;
    const cpu0 = await cpuReading();
    for (let i = 0; i < count; i++) {
      const r = await timedPage(base, pagePath(networkId), session);
      list.push(r.ms);
      bytes = r.bytes;
    }
    return { list, bytes, cpu: await cpuPerRequest(cpu0, count) };
  }

  // -- issue 3: one application scaled to 1,000 peers -------------------------------------
  let issue3Network = '';
  let issue3Member = '';
  await phase('issue 3: a network with an application scaled to 1,000 peers', async () => {
    const t0 = now();
    const network = await api.call<{ id: string }>('POST', `/api/v1/projects/${project.id}/networks`, { label: 'issue-3' });
    const member = await api.call<{ id: string }>('POST', `/api/v1/networks/${network.id}/members`, { kind: 'application', label: 'app', processes: { web: 1 } });
    const t1 = now();
    await api.call('PUT', `/api/v1/members/${member.id}/processes`, { web: issue3Peers });
    const total = now() - t0;
    issue3Network = network.id;
    issue3Member = member.id;
    await analyze();
    row(`issue 3: create a network and scale one application to ${issue3Peers.toLocaleString('en')} peers (API)`, undefined, total, ms(total),
      `create network + member: ${ms(t1 - t0)}, PUT processes web=${issue3Peers}: ${ms(total - (t1 - t0))}`);

    const listPath = `/api/v1/networks/${network.id}/peers`;
    for (let i = 0; i < 2; i++) await api.timed('GET', listPath);
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < reps; i++) {
      const r = await api.timed('GET', listPath);
      times.push(r.ms);
      count = (r.json as { items: unknown[] }).items.length;
    }
    row(`issue 3: list those peers through the API (GET …/peers, all ${count.toLocaleString('en')}), p50 / p95`, undefined, percentile(times, 95),
      `${ms(median(times))} / ${ms(percentile(times, 95))}`, `${reps} sequential requests`);

    const page = await pageTimes(network.id, reps);
    row(`issue 3: network page with ${issue3Peers.toLocaleString('en')} peers, server response p50 / p95`, undefined, percentile(page.list, 95),
      `${ms(median(page.list))} / ${ms(percentile(page.list, 95))}`, `${reps} sequential GETs with a session, ${(page.bytes / 1024).toFixed(0)} KiB; ${page.cpu}`);
  }, ['main', 'limits']); // the limits rows' memory figures load this network's page

  // -- issue 7 row 4: N peers in batches of 100 through the API ---------------------------
  let bigNetwork = '';
  const batchMembers: string[] = [];
  await phase(`${N} peers in batches of 100 through the API`, async () => {
    const network = await api.call<{ id: string }>('POST', `/api/v1/projects/${project.id}/networks`, { label: 'scale' });
    bigNetwork = network.id;
    const times: number[] = [];
    const t0 = now();
    for (let b = 1; b <= N / 100; b++) {
      const r = await api.timed('POST', `/api/v1/networks/${network.id}/members`, { kind: 'addon', label: `batch-${String(b).padStart(3, '0')}`, instances: 100 });
      times.push(r.ms);
      batchMembers.push((r.json as { id: string }).id);
    }
    const total = now() - t0;
    const [{ n }] = await db.execute(sql`select count(*)::int as n from peers where network_id = ${network.id}`) as unknown as { n: number }[];
    for (let i = 0; i < 3 + reps; i++) {
      const r = await api.timed('GET', `/api/v1/networks/${network.id}/peers?limit=100`);
      if (i >= 3) beforeAnalyze.push(r.ms);
    }
    await analyze();
    row(`adding ${N.toLocaleString('en')} peers to one network in batches of 100 (POST …/members, addon × 100 instances)`, msTarget(10_000), total, ms(total),
      `${n} peers; per batch p50 ${ms(median(times))}, p95 ${ms(percentile(times, 95))}, first ${ms(times[0])}, last ${ms(times[times.length - 1])}`);
  }, ['main', 'channel', 'limits']); // the channel and limits rows run on this network

  // -- issue 7 row 5: the network page with N peers, server side ---------------------------
  await phase(`network page with ${N} peers (server)`, async () => {
    const page = await pageTimes(bigNetwork, reps);
    row(`network page with ${N.toLocaleString('en')} peers: server response p95`, msTarget(300), percentile(page.list, 95), ms(percentile(page.list, 95)),
      `p50 ${ms(median(page.list))}; ${reps} sequential GETs with a session cookie, whole streamed body; ${(page.bytes / 1024).toFixed(0)} KiB; ${page.cpu}`);
  });

  // -- issue 7 row 7: API list peers, a page of 100, 50 concurrent clients -----------------
  await phase('API list peers under 50 concurrent clients (autocannon)', async () => {
    const { default: autocannon } = await import('autocannon');
    const url = `${base}/api/v1/networks/${bigNetwork}/peers?limit=100`;
    const single: number[] = [];
    for (let i = 0; i < 3 + reps; i++) {
      const r = await api.timed('GET', `/api/v1/networks/${bigNetwork}/peers?limit=100`);
      if (i >= 3) single.push(r.ms);
    }
    const duration = quick ? 5 : 10;
    const warmup = 3;
    const load = (seconds: number, onResponse: (status: number, time: number) => void = () => {}) =>
      new Promise<{ errors: number; timeouts: number }>((resolve, reject) => {
        const inst = autocannon({ url, connections: 50, duration: seconds, timeout: 10, headers: { authorization: `Bearer ${token}` } }, (err, res) => (err ? reject(err) : resolve(res)));
        inst.on('response', (_client: unknown, status: number, _bytes: number, time: number) => onResponse(status, time));
      });
    // A server under sustained load is warm: its code compiled, every connection of its
    // database pools open with the statements prepared. Measure that, not the first seconds.
    await load(warmup);
    const latencies: number[] = [];
    const statuses: Record<number, number> = {};
    const cpu0 = await cpuReading();
    const result = await load(duration, (status, time) => {
      latencies.push(time);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
    const cpu = await cpuPerRequest(cpu0, latencies.length);
    const p95 = percentile(latencies, 95);
    row('API: list peers, a page of 100, p95 under 50 concurrent clients', msTarget(50), p95, ms(p95),
      `autocannon ${duration} s after ${warmup} s of warm-up: ${(latencies.length / duration).toFixed(0)} req/s, p50 ${ms(median(latencies))}, p99 ${ms(percentile(latencies, 99))}; ${cpu}; `
      + `statuses ${JSON.stringify(statuses)}, errors ${result.errors}, timeouts ${result.timeouts}; one client alone: p50 ${ms(median(single))}`
      + (beforeAnalyze.length ? ` (${ms(median(beforeAnalyze))} right after the bulk load, before ANALYZE)` : ''));

    // The same load while a listed peer keeps changing, as push results make it: each change
    // is a new database snapshot, so the snapshot cache misses and the reads run for real.
    const [hot] = await db.execute(sql`select id from peers where network_id = ${bigNetwork} order by ip limit 1`) as unknown as { id: string }[];
    for (const writesPerSecond of [100, 1000]) {
      const busy: number[] = [];
      const writer = await startWriter(hot.id, writesPerSecond);
      await load(duration, (status, time) => { if (status === 200) busy.push(time); });
      const writes = await writer.stop();
      row(`diagnostic: the same, while a listed peer is updated ${writesPerSecond.toLocaleString('en')} times a second`, undefined, percentile(busy, 95), ms(percentile(busy, 95)),
        `${(busy.length / duration).toFixed(0)} req/s, p50 ${ms(median(busy))}, p99 ${ms(percentile(busy, 99))}; ${writes} updates in ${duration} s`);
    }
  });

  // -- issue 7 row 6: the same page in Chromium --------------------------------------------
  await phase('network page in Chromium', async () => {
    const { measureBrowser } = await import('./browser');
    // Hosts to look for: spread over the list (never on the first page the table shows), by
    // IP and by full instance name, alternately. Numbers 10–99 so that a name is in no other
    // host's name (an addon has at most 100 + a few instances here).
    const searchCount = 5;
    const targets = await db.execute(sql`
      select ip, number, member_id from (
        select host(p.ip) as ip, p.number, p.member_id, row_number() over (order by p.ip) as k
        from peers p where p.network_id = ${bigNetwork} and p.number between 10 and 99) t
      where k > 150 order by md5(ip) limit ${2 * searchCount}`) as unknown as { ip: string; number: number; member_id: string }[];
    const zone = process.env.MESHPLANE_DNS_ZONE || 'mesh.internal';
    const searches: Search[] = targets.map((t, i) => (i % 2 === 0
      ? { query: t.ip, expectIp: t.ip }
      : { query: `${t.number}.${t.member_id}.${bigNetwork}.${zone}`, expectIp: t.ip }));
    const figures = await measureBrowser({ base, path: pagePath(bigNetwork), session, loads: quick ? 3 : 5, searches, executablePath: chromiumPath });
    const tti = median(figures.tti);
    row(`the same page in Chromium: time to interactive (median of ${figures.tti.length} cold loads)`, { value: 1500, text: '≤ 1.5 s' }, tti, ms(tti),
      `each load: ${figures.tti.map(ms).join(', ')}; response end ${ms(median(figures.nav.map((n) => n.responseEnd)))}, DOMContentLoaded ${ms(median(figures.nav.map((n) => n.domContentLoaded)))}, load ${ms(median(figures.nav.map((n) => n.load)))}`);
    // The request the table makes for each search, alone (sequential, after the browser is gone).
    const apiSearch: number[] = [];
    for (const s of searches) {
      for (let i = 0; i < 4; i++) {
        const r = await api.timed('GET', `/api/v1/networks/${bigNetwork}/peers?limit=100&q=${encodeURIComponent(s.query)}`);
        if (i > 0) apiSearch.push(r.ms);
      }
    }
    const searchMs = figures.searches.map((s) => s.ms);
    const part = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '?');
    const each = (kind: number) => figures.searches.filter((_, i) => i % 2 === kind)
      .map((s) => `${ms(s.ms)} (${part(s.beforeRequest)}+${part(s.request)}+${part(s.afterResponse)})`).join(', ');
    row(`the same page: search by IP or name → results shown (median of ${searchMs.length})`, { value: 100, text: '≤ 100 ms' }, median(searchMs), ms(median(searchMs)),
      `in order, as total (typing → request starts + the request + response → rows shown, ms): by IP ${each(0)}; by name ${each(1)}; p95 ${ms(percentile(searchMs, 95))}; `
      + `the same requests alone through the API (GET …/peers?limit=100&q=): p50 ${ms(median(apiSearch))}, p95 ${ms(percentile(apiSearch, 95))}`);
  });

  // -- issue 19: against the machine's limits (bench/limits-rows.ts) ---------------------------
  const { limitsRows } = await import('./limits-rows');
  await limitsRows({ root, db, appEnv, tmp, quick, N, chromiumPath, base, api, token, session, email, password,
    projectId: project.id, issue3Network, bigNetwork, row, phase: (name, work) => phase(name, work, ['main', 'limits']), log });

  log('stopping the app server (the worker runs in its own process)');
  await server.stop();
  server = null;

  // -- the push worker: issue 6 (1,000 hosts) and issue 7 (N hosts) ------------------------
  await phase('push worker with stub agents', async () => {
    const stubPort = await freePort(3550, 3599);
    const childEnv = { ...appEnv };
    // A fresh worker process per network, so that each peak memory figure is that round's own.
    const startWorker = async (name: string) => {
      const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`] : [];
      const child = new Child(root, 'bench/worker-child.ts', childEnv, name, profile);
      children.push(child);
      const { signingPublicKey } = await child.call<{ signingPublicKey: string }>('init', { databaseUrl: database!.url });
      return { child, signingPublicKey };
    };
    const first = await startWorker('worker (issue 6)');
    let worker = first.child;
    const { signingPublicKey } = first;
    const stubs = new Child(root, 'bench/stub-agents.ts', childEnv, 'stub agents');
    children.push(stubs);
    await stubs.call('start', { port: stubPort, signingPublicKey, talking });
    const stubBase = `http://127.0.0.1:${stubPort}/h/`;

    // Enrolment straight in the database (one statement, no version per host): a key, an
    // endpoint (never contacted) and the stub agent's URL for every host not enrolled yet.
    const enrolPending = async (networkId: string) => {
      await db.execute(sql`
        update peers set public_key = encode(sha256(convert_to(id, 'UTF8')), 'base64'),
          endpoint = '127.0.0.1:' || (20000 + number), agent_url = ${stubBase} || id,
          applied_version = 0, push_state = 'pending', attempts = 0, next_attempt_at = now() - interval '1 second'
        where network_id = ${networkId} and agent_url is null`);
      const [{ n, v }] = await db.execute(sql`
        select count(*)::int as n, (select config_version from networks where id = ${networkId})::int as v
        from peers where network_id = ${networkId} and agent_url is not null`) as unknown as { n: number; v: number }[];
      return { hosts: n, version: v };
    };
    type RoundOut = { ms: number; startedAt: number; endedAt: number; cpuMs: number; result: { claimed: number; applied: number; failed: number }; peakRss: number; rssBefore: number; sampledPeakRss: number };
    type StubStats = { cpuMs: number; answerBytes: number; requests: number; verifications: number };
    const stubStats = () => stubs.call<StubStats>('stats');
    // One round, and the time (on the stubs' side) when the last of `hosts` reached `version`.
    const deliver = async (networkId: string, hosts: number, version: number, cold: boolean) => {
      await stubStats(); // resets the stubs' counters
      const wait = stubs.call<{ at: number | null; reached: number }>('waitVersion', { version, count: hosts, timeoutMs: 240_000 }, 250_000);
      const r = await worker.call<RoundOut>('round', { networkId, batch: hosts + 10, cold }, 250_000);
      const done = await wait;
      const st = await stubStats();
      return { ...r, hosts, lastAppliedMs: done.at === null ? NaN : done.at - r.startedAt, reached: done.reached, stubs: st };
    };
    const fullRound = (networkId: string, hosts: number, version: number) => deliver(networkId, hosts, version, true);
    const changeRound = (networkId: string, hosts: number, version: number) => deliver(networkId, hosts, version, false);
    const roundNotes = (r: Awaited<ReturnType<typeof deliver>>) =>
      `${r.result.applied}/${r.hosts} applied, ${r.result.failed} failed; last host applied at ${ms(r.lastAppliedMs)}; `
      + `CPU: worker ${ms(r.cpuMs)}, stub agents ${ms(r.stubs.cpuMs)}; stub answers ${mb(r.stubs.answerBytes)}`;

    // issue 6: the 1,000-host network of issue 3
    if (issue3Network) {
      log(`issue 6: ${issue3Peers} hosts, full round`);
      const e = await enrolPending(issue3Network);
      const full = await fullRound(issue3Network, e.hosts, e.version);
      row(`issue 6: ${e.hosts.toLocaleString('en')} hosts, one full round (render, sign, deliver all)`, undefined, full.ms, ms(full.ms), roundNotes(full));
      row(`issue 6: ${e.hosts.toLocaleString('en')} hosts, peak memory of the worker process`, undefined, full.peakRss, mb(full.peakRss), `RSS before the round ${mb(full.rssBefore)}`);
      await scaleMember(db, actor, issue3Member, { worker: 1 });
      const c = await enrolPending(issue3Network);
      const change = await changeRound(issue3Network, c.hosts, c.version);
      row('issue 6: one change (a host added) until every host has applied it', undefined, change.ms, ms(change.ms), roundNotes(change));
    }

    // issue 7: N hosts
    await worker.stop();
    ({ child: worker } = await startWorker('worker'));
    log(`${N} hosts: full round from scratch`);
    const e = await enrolPending(bigNetwork);
    const full = await fullRound(bigNetwork, e.hosts, e.version);
    row(`a full round for ${N.toLocaleString('en')} hosts from scratch (every host behind)`, msTarget(20_000), full.ms, ms(full.ms),
      `${roundNotes(full)}; runWorkerRound in-process, batch ${e.hosts + 10}, concurrency ${process.env.MESHPLANE_PUSH_CONCURRENCY ?? 64} (default)`);
    row(`the same full round: peak memory (RSS of the worker process)`, { value: 1.5e9, text: '≤ 1.5 GB' }, full.peakRss, mb(full.peakRss),
      `RSS before ${mb(full.rssBefore)}; VmHWM and 20 ms samples of process.memoryUsage.rss() (samples: ${mb(full.sampledPeakRss)})`);

    const member = batchMembers[0];
    let instances = 100;
    const addHost = async () => {
      await scaleMember(db, actor, member, { instances: ++instances });
      return enrolPending(bigNetwork);
    };
    const computes: { ms: number; buildMs: number; previousMs: number; deltaMs: number; snapshotMs: number; deltaBytes: number; snapshotBytes: number }[] = [];
    const repeats = 3;
    for (let i = 0; i < repeats; i++) {
      const c = await addHost();
      computes.push(await worker.call('compute', { networkId: bigNetwork }));
      const r = await changeRound(bigNetwork, c.hosts, c.version); // delivers it (not timed here)
      if (r.reached < c.hosts) log(`warning: only ${r.reached}/${c.hosts} hosts reached version ${c.version}`);
    }
    const cm = median(computes.map((c) => c.ms));
    const mid = computes.find((c) => c.ms === cm)!;
    row(`one change (one host added) in a ${N.toLocaleString('en')}-host network: compute and sign every affected host's update (median of ${repeats})`, msTarget(500), cm, ms(cm),
      `all: ${computes.map((c) => ms(c.ms)).join(', ')}; median run: build the document from the database and store it ${ms(mid.buildMs)}, previous document ${ms(mid.previousMs)}, `
      + `diff + sign the delta (${mid.deltaBytes} B, for every host) ${ms(mid.deltaMs)}, sign + gzip the snapshot (${mb(mid.snapshotBytes)}, for the new host) ${ms(mid.snapshotMs)}`);

    const deliveries: Awaited<ReturnType<typeof deliver>>[] = [];
    for (let i = 0; i < repeats; i++) {
      const c = await addHost();
      deliveries.push(await changeRound(bigNetwork, c.hosts, c.version));
    }
    const dm = median(deliveries.map((d) => d.ms));
    const dmid = deliveries.find((d) => d.ms === dm)!;
    row(`the same change delivered to ${N.toLocaleString('en')} stub agents and applied by all (median of ${repeats})`, msTarget(3000), dm, ms(dm),
      `all: ${deliveries.map((d) => ms(d.ms)).join(', ')}; median run: ${roundNotes(dmid)}; each stub answers with ${talking === 'all' ? 'every peer' : `${talking} peers`} that shook hands`);

    if (talking !== 'all') {
      // The worst case for answers: a mesh where every host has shaken hands with every other,
      // so every answer lists every peer (the agent lists the peers that shook hands).
      await stubs.call('setTalking', { talking: 'all' });
      const c = await addHost();
      const busy = await changeRound(bigNetwork, c.hosts, c.version);
      await stubs.call('setTalking', { talking });
      row(`diagnostic: the same change when every host has shaken hands with every other (each answer: totals over ${N.toLocaleString("en")} peers, at most 64 listed)`, undefined, busy.ms, ms(busy.ms), roundNotes(busy));
    }
  });

  // Issue 19: a 20,000-host network and 100 networks × 200 hosts (bench/scale-rows.ts).
  await scaleRows({
    root, quick, db, appEnv, actor, token, session, projectId: project.id, talking, log, row, children,
    phase: (name, work) => phase(name, work, 'scale'),
    startServer: async () => (server = await startAppServer({ root, port: await freePort(3500, 3549), env: appEnv, logFile: path.join(tmp, 'server.log') })),
    stopServer: async () => { await server?.stop(); server = null; },
  });

  // -- issue 13: every host on the agent's channel (bench/channel-rows.ts) -----------------
  await phase('issue 13: the agents\' channel', async () => {
    const { channelRows } = await import('./channel-rows');
    const got = await channelRows({ root, db, apiToken: token, appEnv, logDir: tmp, actor, networkId: bigNetwork, memberId: batchMembers[1] ?? batchMembers[0], quick, log, track: (c) => children.push(c) });
    for (const r of got) row(r.what, r.target, r.measured, r.shown, r.notes);
  }, 'channel');

  await agentPhase();
}

/** Issue 15: the agent as shipped, idle on a host of a 1,000-host network (root: namespaces). */
async function agentPhase() {
  await phase('issue 15: idle RSS of the bundled agent in a 1,000-host network', async () => {
    const r = await measureAgentRss(1000);
    row('issue 15: agent idle RSS in a 1,000-host network (the bundled file under plain node)', { value: 60e6, text: '≤ 60 MB' }, r.bundled, mb(r.bundled),
      `real wireguard-go in a namespace, ${r.peers} WireGuard peers applied from one signed snapshot, then 20 s idle; under tsx (npm run agent): ${mb(r.tsx)}; bundle ${(r.bundleBytes / 1024).toFixed(0)} KiB`);
  }, 'agent');
}

function environmentLine(): string {
  let pg = '';
  try {
    pg = execFileSync('psql', [adminUrl, '-tAc', 'show server_version'], { encoding: 'utf8', timeout: 10_000 }).trim().split(' ')[0];
  } catch { pg = '?'; }
  return `${os.cpus().length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.versions.node}, PostgreSQL ${pg}; `
    + `load average ${loadBefore} before the run, ${os.loadavg()[0].toFixed(2)} after`;
}

const exitCode = await main().then(() => 0, (e) => {
  console.error('bench: the harness failed:', e);
  return 1;
});
clearTimeout(watchdog);
await cleanup();
const elapsed = (now() - started) / 1000;
console.log(`\nMeshplane benchmark, ${new Date().toISOString().slice(0, 10)}, ${N.toLocaleString('en')} hosts${quick ? ' (--quick)' : ''}, ${environmentLine()}, ${elapsed.toFixed(0)} s\n`);
printTable();
if (failures.length > 0) {
  console.log(`\nparts that did not complete:\n${failures.map((f) => `- ${f}`).join('\n')}`);
}
process.exit(exitCode !== 0 || failures.length > 0 ? 1 : 0);
