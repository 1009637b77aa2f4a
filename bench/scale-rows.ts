/*
 * Issue 19's scale rows (`npm run bench -- --only scale`; `--quick`: 2,000 hosts and 20 × 100):
 * - a 20,000-host network: a full round from scratch and its peak memory, then one change
 *   applied by every stub agent (rounds in the worker process, bench/worker-child.ts);
 * - the same network's page and peers API on the built app, with the snapshot cache hitting
 *   and missing (a listed peer updated while they are measured: every write is a new snapshot);
 * - 100 networks × 200 hosts, one change in each of 20 at the same moment, delivered the way
 *   production delivers it: PUT …/processes through the API → changeNetwork's NOTIFY → each
 *   server process's LISTEN (lib/server/delivery/wake.ts) → runWorkerRound → a direct push to
 *   the stub agents (bench/stub-agents.ts takes direct pushes only).
 * The networks are made with the real operations (createNetwork, createMember), hosts enrolled
 * straight in the database as run.ts does. See bench/README.md.
 */
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from '../lib/server/db/client';
import type { Actor } from '../lib/server/audit/record';
import type { AppServer } from './app-server';
import { Api, timedPage, type Session } from './http';
import { Child } from './ipc';
import { startWriter } from './hot-writer';
import { cpuByPid, cpuOfParts, cpuSince, freePort, mb, median, ms, now, percentile, processTree, sleep } from './stats';

export type ScaleContext = {
  root: string; quick: boolean; db: Db; appEnv: Record<string, string>; actor: Actor; token: string; session: Session;
  projectId: string; talking: number | 'all'; children: Child[];
  log: (msg: string) => void;
  row: (what: string, target: { value: number; text: string } | undefined, measured: number | null, shown: string, notes?: string) => void;
  /** Runs one part; a failure is recorded and the next part still runs. */
  phase: (name: string, work: () => Promise<void>) => Promise<void>;
  startServer: () => Promise<AppServer>;
  stopServer: () => Promise<void>;
};

const msTarget = (value: number) => ({ value, text: `≤ ${ms(value)}` });
const n = (v: number) => v.toLocaleString('en');
const epochNow = () => performance.timeOrigin + performance.now();
const perMember = 1000; // the API's largest member (maxInstances)

type RoundOut = { ms: number; startedAt: number; cpuMs: number; result: { claimed: number; applied: number; failed: number }; peakRss: number; rssBefore: number; sampledPeakRss: number };
type Waited = { at: number | null; reached: number; last: Record<string, number> };
type Fleet = { networkId: string; memberId: string }[];

export async function scaleRows(ctx: ScaleContext) {
  const { db, actor, log, row, quick } = ctx;
  const size = { hosts: quick ? 2000 : 20_000, networks: quick ? 20 : 100, perNetwork: quick ? 100 : 200, changed: quick ? 5 : 20, repeats: 3 };
  const big = `${n(size.hosts)}-host`;
  const fleetName = `${size.networks} networks × ${size.perNetwork} hosts`;
  let bigNetwork = '';
  let bigMember = '';
  const fleet: Fleet = [];
  let stubs: Child | null = null;
  let server: AppServer | null = null;

  const enrolled = async (networkIds: string[]) => {
    const list = await db.execute(sql`
      select n.id, n.config_version::int as v, count(p.id)::int as hosts from networks n left join peers p on p.network_id = n.id and p.agent_url is not null
      where n.id in (${sql.join(networkIds.map((id) => sql`${id}`), sql`, `)}) group by n.id`) as unknown as { id: string; v: number; hosts: number }[];
    return { versions: Object.fromEntries(list.map((r) => [r.id, r.v])) as Record<string, number>, hosts: list.reduce((s, r) => s + r.hosts, 0) };
  };

  await ctx.phase(`issue 19: a ${big} network and ${fleetName}, through the operations`, async () => {
    const { createNetwork } = await import('../lib/server/networks/networks');
    const { createMember } = await import('../lib/server/members/members');
    const t0 = now();
    const network = await createNetwork(db, actor, ctx.projectId, { label: `scale-${size.hosts}`, description: '', tags: [], cidr: undefined });
    const parts: number[] = [];
    for (let i = 0; i < size.hosts / perMember; i++) {
      const t = now();
      const m = await createMember(db, actor, network.id, { kind: 'addon', label: `part-${String(i).padStart(2, '0')}`, tags: [], instances: perMember });
      parts.push(now() - t);
      bigMember ||= m.id;
    }
    const t1 = now();
    for (let i = 0; i < size.networks; i++) {
      // /23s outside the default pool (10.64.0.0/10 holds only 64 /16s).
      const f = await createNetwork(db, actor, ctx.projectId, { label: `fleet-${String(i).padStart(3, '0')}`, description: '', tags: [], cidr: `172.16.${2 * i}.0/23` });
      const m = await createMember(db, actor, f.id, { kind: 'addon', label: 'service', tags: [], instances: size.perNetwork });
      fleet.push({ networkId: f.id, memberId: m.id });
    }
    const t2 = now();
    await db.execute(sql`analyze`);
    bigNetwork = network.id;
    row(`issue 19: load a ${big} network (${size.hosts / perMember} addons × ${n(perMember)} instances) and ${fleetName} (createNetwork, createMember)`, undefined, t2 - t0, ms(t2 - t0),
      `the ${big} network ${ms(t1 - t0)} (per member p50 ${ms(median(parts))}, last ${ms(parts[parts.length - 1])}); the ${size.networks} networks ${ms(t2 - t1)}; then ANALYZE`);
  });
  if (!bigNetwork) return;

  // ---- rounds in the worker process ---------------------------------------------------
  await ctx.phase(`issue 19: ${big} network: full round, peak memory, one change (worker process)`, async () => {
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`] : [];
    const worker = new Child(ctx.root, 'bench/worker-child.ts', ctx.appEnv, 'worker (scale)', profile);
    ctx.children.push(worker);
    // Stopped however the phase ends: a round that timed out would go on pushing and load the rows after.
    try { await workerRounds(worker); } finally { await worker.stop(); }
  });

  async function workerRounds(worker: Child) {
    const { scaleMember } = await import('../lib/server/members/members');
    const { signingPublicKey } = await worker.call<{ signingPublicKey: string }>('init', { databaseUrl: ctx.appEnv.DATABASE_URL });
    stubs = new Child(ctx.root, 'bench/stub-agents.ts', ctx.appEnv, 'stub agents (scale)');
    ctx.children.push(stubs);
    const stubPort = await freePort(3550, 3599);
    await stubs.call('start', { port: stubPort, signingPublicKey, talking: ctx.talking });
    const all = [bigNetwork, ...fleet.map((f) => f.networkId)];
    const enrol = () => db.execute(sql`
      update peers set public_key = encode(sha256(convert_to(id, 'UTF8')), 'base64'),
        endpoint = '127.0.0.1:' || (20000 + number), agent_url = ${`http://127.0.0.1:${stubPort}/h/`} || id,
        applied_version = 0, push_state = 'pending', attempts = 0, next_attempt_at = now() - interval '1 second'
      where network_id in (${sql.join(all.map((id) => sql`${id}`), sql`, `)}) and agent_url is null`);
    await enrol();

    const stubStats = () => stubs!.call<{ cpuMs: number; answerBytes: number }>('stats');
    /** One round in the worker; the stubs' clock says when the last counted host applied. */
    const deliver = async (networks: Record<string, number>, hosts: number, networkId: string | undefined, cold: boolean) => {
      await stubStats(); // resets the counters
      const wait = stubs!.call<Waited>('waitVersion', { networks, count: hosts, timeoutMs: 240_000 }, 250_000);
      const r = await worker.call<RoundOut>('round', { networkId, batch: hosts + 10, cold }, 250_000);
      const done = await wait;
      const st = await stubStats();
      const notes = `${r.result.applied}/${n(hosts)} applied, ${r.result.failed} failed; last host applied at ${ms(done.at === null ? NaN : done.at - r.startedAt)}; `
        + `CPU: worker ${ms(r.cpuMs)}, stub agents ${ms(st.cpuMs)}; stub answers ${mb(st.answerBytes)}`;
      return { ...r, reached: done.reached, notes };
    };

    log(`${n(size.hosts)} hosts: full round from scratch`);
    const e = await enrolled([bigNetwork]);
    const full = await deliver(e.versions, e.hosts, bigNetwork, true);
    row(`issue 19: a ${big} network: a full round from scratch (every host behind)`, msTarget(40_000), full.ms, ms(full.ms),
      `${full.notes}; runWorkerRound in the worker process, batch ${n(e.hosts + 10)}, concurrency ${process.env.MESHPLANE_PUSH_CONCURRENCY ?? 64}`);
    row('issue 19: the same full round: peak memory (RSS of the worker process)', { value: 2e9, text: '≤ 2 GB' }, full.peakRss, mb(full.peakRss),
      `RSS before ${mb(full.rssBefore)}; VmHWM and 20 ms samples (samples: ${mb(full.sampledPeakRss)})`);

    const changes: Awaited<ReturnType<typeof deliver>>[] = [];
    for (let i = 1; i <= size.repeats; i++) {
      await scaleMember(db, actor, bigMember, { instances: perMember + i });
      await enrol();
      const c = await enrolled([bigNetwork]);
      const r = await deliver(c.versions, c.hosts, bigNetwork, false);
      if (r.reached < c.hosts) log(`warning: only ${r.reached}/${c.hosts} hosts reached version ${c.versions[bigNetwork]}`);
      changes.push(r);
    }
    const cm = median(changes.map((c) => c.ms));
    row(`issue 19: the same network: one change (a host added) applied by all ${n(size.hosts)} stub agents (median of ${size.repeats})`, msTarget(3000), cm, ms(cm),
      `all: ${changes.map((c) => ms(c.ms)).join(', ')}; median run: ${changes.find((c) => c.ms === cm)!.notes}; scaleMember, then one round (worker warm)`);

    // The fleet at its current version before the server takes over (one round over every network).
    const f = await enrolled(fleet.map((x) => x.networkId));
    const fr = await deliver(f.versions, f.hosts, undefined, false);
    row(`diagnostic: ${fleetName}: a full round from scratch (every network at once)`, undefined, fr.ms, ms(fr.ms),
      `${fr.notes}; peak RSS of the worker ${mb(fr.peakRss)}`);
    // production has no worker process: from here the server delivers (the worker stops above)
  }

  // ---- the app server: page and peers API on the big network ---------------------------
  await ctx.phase(`issue 19: ${big} network page and peers API (server), cache hit and miss under writes`, async () => {
    server ??= await ctx.startServer();
    const base = server.url;
    const pagePath = `/projects/${ctx.projectId}/networks/${bigNetwork}`;
    const [hot] = await db.execute(sql`select id from peers where network_id = ${bigNetwork} order by ip limit 1`) as unknown as { id: string }[];
    const serverCpu = () => cpuByPid(processTree(server!.pid));
    const reps = quick ? 15 : 30;

    const pages = async (writesPerSecond: number) => {
      for (let i = 0; i < 3; i++) await timedPage(base, pagePath, ctx.session);
      const writer = await startWriter(hot.id, writesPerSecond);
      const cpu0 = serverCpu();
      const list: number[] = [];
      let bytes = 0;
      for (let i = 0; i < reps; i++) {
        const r = await timedPage(base, pagePath, ctx.session);
        list.push(r.ms);
        bytes = r.bytes;
      }
      const cpu = cpuSince(cpu0, serverCpu()) / reps;
      const writes = await writer.stop();
      return { list, bytes, cpu, writes };
    };
    for (const w of [0, 100]) {
      const p = await pages(w);
      const p95 = percentile(p.list, 95);
      row(`issue 19: the ${big} network page: server response p95, ${w ? `snapshot cache missing (a listed peer updated ${w} times a second)` : 'snapshot cache hitting'}`, msTarget(300), p95, ms(p95),
        `p50 ${ms(median(p.list))}; ${reps} sequential GETs with a session cookie, whole streamed body; ${(p.bytes / 1024).toFixed(0)} KiB; server CPU per page ${ms(p.cpu)}`
        + (w ? `; ${p.writes} updates meanwhile` : ''));
    }

    const { default: autocannon } = await import('autocannon');
    const url = `${base}/api/v1/networks/${bigNetwork}/peers?limit=100`;
    const duration = quick ? 5 : 10;
    const load = (seconds: number, onResponse: (status: number, time: number) => void = () => {}) =>
      new Promise<{ errors: number; timeouts: number }>((resolve, reject) => {
        const inst = autocannon({ url, connections: 50, duration: seconds, timeout: 10, headers: { authorization: `Bearer ${ctx.token}` } }, (err, res) => (err ? reject(err) : resolve(res)));
        inst.on('response', (_client: unknown, status: number, _bytes: number, time: number) => onResponse(status, time));
      });
    await load(3); // warm-up, not counted: code compiled, pool connections open with their statements prepared
    for (const w of [0, 1000]) {
      const latencies: number[] = [];
      const statuses: Record<number, number> = {};
      const writer = await startWriter(hot.id, w);
      const cpu0 = serverCpu();
      const res = await load(duration, (status, time) => {
        latencies.push(time);
        statuses[status] = (statuses[status] ?? 0) + 1;
      });
      const cpu = cpuSince(cpu0, serverCpu()) / latencies.length;
      const writes = await writer.stop();
      const p95 = percentile(latencies, 95);
      row(`issue 19: the same network's peers API, a page of 100, p95 at 50 clients, ${w ? `snapshot cache missing (a listed peer updated ${n(w)} times a second)` : 'snapshot cache hitting'}`, msTarget(50), p95, ms(p95),
        `autocannon ${duration} s (after 3 s of warm-up): ${(latencies.length / duration).toFixed(0)} req/s, p50 ${ms(median(latencies))}, p99 ${ms(percentile(latencies, 99))}; `
        + `server CPU per request ${ms(cpu)}; statuses ${JSON.stringify(statuses)}, errors ${res.errors}, timeouts ${res.timeouts}` + (w ? `; ${writes} updates in ${duration} s` : ''));
    }
  });

  // ---- the big network: one change delivered by the server, as in production ------------
  // Every server process is woken by the change's NOTIFY and runs a round for the network;
  // their claims (FOR UPDATE SKIP LOCKED) split the hosts between them (wake.ts, claims.ts).
  await ctx.phase(`issue 19: ${big} network, one change through the API, delivered by the server's processes`, async () => {
    if (!stubs) throw new Error('no stub agents (the worker part failed)');
    server ??= await ctx.startServer();
    const api = new Api(server.url, ctx.token);
    const runs: { ms: number; writeMs: number; hosts: number; reached: number; cpu: string }[] = [];
    // CPU of each server process, of this database's PostgreSQL backends and of the stubs, per change.
    const cpuNow = () => cpuOfParts(db, server!.pid, [stubs!.pid]);
    for (let r = 0; r < size.repeats + 1; r++) { // the first warms the server's processes, not counted
      const before = await enrolled([bigNetwork]);
      const cpu0 = await cpuNow();
      const wait = stubs.call<Waited>('waitVersion', { networks: { [bigNetwork]: before.versions[bigNetwork] + 1 }, count: before.hosts, timeoutMs: 60_000 }, 70_000);
      const tw = epochNow();
      await api.call('POST', `/api/v1/networks/${bigNetwork}/members`, { kind: 'addon', label: `extra-${r}`, instances: 1 });
      const writeMs = epochNow() - tw;
      const done = await wait;
      if (done.at === null) log(`warning: only ${done.reached}/${before.hosts} hosts applied within 60 s`);
      await sleep(1500); // the last answers recorded
      const cpu1 = await cpuNow();
      const perProcess = [...cpu1.app].map(([pid, t]) => t - (cpu0.app.get(pid) ?? 0)).filter((t) => t > 0);
      const cpu = `CPU: server processes ${perProcess.map(ms).join(' + ')}, PostgreSQL ${ms(cpuSince(cpu0.pg, cpu1.pg))} (this database's backends), stub agents ${ms(cpuSince(cpu0.stubs, cpu1.stubs))}`;
      if (r > 0) runs.push({ ms: done.at === null ? NaN : done.at - tw, writeMs, hosts: before.hosts, reached: done.reached, cpu });
    }
    const m = median(runs.map((x) => x.ms));
    const mid = runs.find((x) => x.ms === m) ?? runs[0];
    const serving = Math.max(1, processTree(server.pid).length - 1); // a cluster's workers (its primary only supervises), or the one process
    row(`issue 19: the same ${big} network: one change through the API, delivered by the server's ${serving} processes, until all ${n(mid.hosts)} stub agents applied it (median of ${size.repeats})`, msTarget(3000), m, ms(m),
      `all: ${runs.map((x) => ms(x.ms)).join(', ')} (one change before, not counted); median run: ${mid.reached}/${n(mid.hosts)} hosts, the write (POST …/members, one addon host) answered in ${ms(mid.writeMs)}; ${mid.cpu} (until 1.5 s after the last host applied); `
      + 'path: changeNetwork\'s NOTIFY → LISTEN in each server process (wake.ts) → a round in each, their claims splitting the hosts → direct push to the stub agents');
  });

  // ---- 100 × 200: changes at once, delivered by the server --------------------------------
  await ctx.phase(`issue 19: ${fleetName}, one change in each of ${size.changed} at once (API → NOTIFY → the server's delivery)`, async () => {
    if (!stubs) throw new Error('no stub agents (the worker part failed)');
    server ??= await ctx.startServer();
    const api = new Api(server.url, ctx.token);
    const runs: { ms: number; writesMs: number; hosts: number; reached: number; spread: number[] }[] = [];
    for (let r = 0; r < size.repeats; r++) {
      const set = Array.from({ length: size.changed }, (_, i) => fleet[(r * size.changed + i) % fleet.length]);
      const before = await enrolled(set.map((s) => s.networkId));
      const targets = Object.fromEntries(Object.entries(before.versions).map(([id, v]) => [id, v + 1]));
      const counts = await db.execute(sql`select member_id, instances from processes
        where member_id in (${sql.join(set.map((s) => sql`${s.memberId}`), sql`, `)})`) as unknown as { member_id: string; instances: number }[];
      const instances = new Map(counts.map((c) => [c.member_id, c.instances]));
      const wait = stubs.call<Waited>('waitVersion', { networks: targets, count: before.hosts, timeoutMs: 60_000 }, 70_000);
      const tw = epochNow();
      await Promise.all(set.map((s) => api.call('PUT', `/api/v1/members/${s.memberId}/processes`, { instances: instances.get(s.memberId)! + 1 })));
      const writesMs = epochNow() - tw;
      const done = await wait;
      runs.push({
        ms: done.at === null ? NaN : done.at - tw, writesMs, hosts: before.hosts, reached: done.reached,
        spread: Object.values(done.last).map((at) => at - tw).sort((a, b) => a - b),
      });
      if (done.at === null) log(`warning: only ${done.reached}/${before.hosts} hosts applied within 60 s`);
    }
    const m = median(runs.map((x) => x.ms));
    const mid = runs.find((x) => x.ms === m) ?? runs[0];
    row(`issue 19: ${fleetName}, one change in each of ${size.changed} networks at the same moment: until all affected hosts applied (median of ${size.repeats})`, msTarget(2000), m, ms(m),
      `all: ${runs.map((x) => ms(x.ms)).join(', ')}; median run: ${mid.reached}/${n(mid.hosts)} hosts, the ${size.changed} writes answered within ${ms(mid.writesMs)}, `
      + `networks done at ${ms(mid.spread[0])} (first), ${ms(median(mid.spread))} (median), ${ms(mid.spread[mid.spread.length - 1])} (last); `
      + `path: ${size.changed} concurrent PUT /api/v1/members/{id}/processes (+1 instance) → changeNetwork's NOTIFY → LISTEN in each server process (wake.ts) → runWorkerRound per network → direct push to the stub agents (no channel stubs here)`);
  });
  await ctx.stopServer();
  server = null;
  await (stubs as Child | null)?.stop();
}

