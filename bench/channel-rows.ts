/*
 * Issue 13's rows: every host of the N-host network on the agent's channel (bench/channel-agents.ts,
 * the agent's real client), then (1) one change through the API until every channel agent has
 * applied it, (2) the app's extra memory with all channels idle, (3) an app restart with a
 * change made while it was down, until every agent is back and up to date. See bench/README.md.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from '../lib/server/db/client';
import { hashToken, newSecretToken } from '../lib/server/auth/secret-token';
import { scaleMember } from '../lib/server/members/members';
import { httpRequest } from '../agent/http-client';
import { startAppServer, type AppServer } from './app-server';
import { Api } from './http';
import { Child } from './ipc';
import { cpuOfParts, cpuSince, freePort, mb, median, ms, processTree, sleep } from './stats';

export type ChannelRow = { what: string; target?: { value: number; text: string }; measured: number | null; shown: string; notes: string };

export type ChannelContext = {
  root: string; db: Db; apiToken: string; appEnv: Record<string, string>; logDir: string;
  actor: Parameters<typeof scaleMember>[1]; networkId: string; memberId: string; quick: boolean;
  log: (msg: string) => void; track: (c: Child) => void;
};

const perProcess = 1250; // channels per stub process: 5,000 take four
const warmupChanges = 3;
// The agents' transport: the WebSocket stream (what agents use), or the long-poll that they
// fall back to behind a proxy that does not pass upgrades.
const transport = process.env.BENCH_CHANNEL_TRANSPORT === 'poll' ? 'poll' : 'stream';
const transportText = transport === 'stream' ? 'the WebSocket stream' : 'the long-poll (BENCH_CHANNEL_TRANSPORT=poll)';
const epochNow = () => performance.timeOrigin + performance.now();

/** Resident set of the app: the process and its cluster workers, from /proc. */
function rssOf(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch { /* gone */ }
  }
  return total;
}

/** When 127.0.0.1:port first accepts a connection (epoch ms). */
async function portOpen(port: number, timeoutMs: number): Promise<number> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await sleep(50)) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return epochNow();
  }
  throw new Error(`port ${port} not open after ${timeoutMs / 1000} s`);
}

async function steadyRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) { samples.push(rssOf(pid)); await sleep(400); }
  return median(samples);
}

function problemsOf(list: { problems: Record<string, number> }[]) {
  const out: Record<string, number> = {};
  for (const s of list) for (const [k, n] of Object.entries(s.problems)) out[k] = (out[k] ?? 0) + n;
  return out;
}

export async function channelRows(ctx: ChannelContext): Promise<ChannelRow[]> {
  const { db, networkId, log } = ctx;
  const rows: ChannelRow[] = [];
  const versionNow = async () => {
    const [{ v }] = await db.execute(sql`select config_version::int as v from networks where id = ${networkId}`) as unknown as { v: number }[];
    return v;
  };
  const instances = async () => {
    const [{ n }] = await db.execute(sql`select count(*)::int as n from peers where member_id = ${ctx.memberId}`) as unknown as { n: number }[];
    return n;
  };

  // Every peer of the network becomes a channel-only host (no agent URL) with a real host
  // token: made and hashed by the functions enrolment uses, stored in one statement.
  const peerRows = await db.execute(sql`select id from peers where network_id = ${networkId} order by id`) as unknown as { id: string }[];
  const hosts = peerRows.map((p) => ({ peerId: p.id, token: newSecretToken('mph') }));
  const v0 = await versionNow();
  await db.execute(sql`
    update peers p set host_token_hash = t.hash, agent_url = null,
      public_key = coalesce(p.public_key, encode(sha256(convert_to(p.id, 'UTF8')), 'base64')),
      endpoint = coalesce(p.endpoint, '127.0.0.1:' || (20000 + p.number)),
      applied_version = ${v0}, push_state = 'applied', claimed_at = null, last_seen_at = null
    from unnest(${sql.raw(`array[${hosts.map((h) => `'${h.peerId}'`).join(',')}]::text[]`)}, ${sql.raw(`array[${hosts.map((h) => `'${hashToken(h.token)}'`).join(',')}]::text[]`)}) as t(id, hash)
    where p.id = t.id`);
  log(`issue 13: ${hosts.length} hosts with host tokens, at version ${v0}`);

  let server: AppServer | null = null;
  const port = await freePort(3500, 3549);
  // BENCH_PROFILE: a CPU profile of the app too, written when it stops; in one process (a
  // cluster's workers are killed before theirs is written), so its figures are not comparable.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(process.env.BENCH_PROFILE, 'channel-app')}`] : [];
  const appEnv = profile.length ? { ...ctx.appEnv, MESHPLANE_PROCESSES: '1' } : ctx.appEnv;
  const start = () => startAppServer({ root: ctx.root, port, env: appEnv, logFile: path.join(ctx.logDir, 'server-channel.log'), nodeArgs: profile });
  const agents: Child[] = [];
  try {
    server = await start();
    const base = server.url;
    const api = new Api(base, ctx.apiToken);
    log(`issue 13: the app is up on ${base}`);
    // The snapshot every host starts from, fetched once through the agent's own client (after=0).
    const first = await httpRequest(`${base}/api/agent/v1/next?after=0`, { headers: { authorization: `Bearer ${hosts[0].token}` }, timeoutMs: 60_000 });
    if (first.status !== 200) throw new Error(`the seed snapshot: HTTP ${first.status}`);
    const { payload, signature } = JSON.parse(first.body.toString('utf8')) as { payload: string; signature: string };
    // The app warm (its channel route loaded in every process), then its memory before the channels.
    for (let i = 0; i < 20; i++) await httpRequest(`${base}/api/agent/v1/next?after=0`, { headers: { authorization: 'Bearer mph_x' }, timeoutMs: 10_000 });
    await sleep(1000);
    const rssBefore = await steadyRss(server.pid);
    log(`issue 13: app RSS ${mb(rssBefore)} before the channels; starting the channel agents`);

    const { getSigningKey } = await import('../lib/server/delivery/signing-key');
    const signingPublicKey = (await getSigningKey(db)).publicKeyBase64;
    const slices: typeof hosts[] = [];
    for (let i = 0; i < hosts.length; i += perProcess) slices.push(hosts.slice(i, i + perProcess));
    const connectStarted = new Date();
    const tConnect = epochNow();
    for (const [i, slice] of slices.entries()) {
      const child = new Child(ctx.root, 'bench/channel-agents.ts', ctx.appEnv, `channel agents ${i + 1}`,
        i === 0 && profile.length ? ['--cpu-prof', `--cpu-prof-dir=${path.join(process.env.BENCH_PROFILE!, 'channel-agents')}`] : []);
      ctx.track(child);
      agents.push(child);
      await child.call('start', { server: base, signingPublicKey, hosts: slice, snapshot: { payload, signature }, transport }, 120_000);
    }
    // Connected: every host has made a poll that is now held (each poll marks the host seen).
    const connected = async (since: Date) => {
      const [{ n }] = await db.execute(sql`select count(*)::int as n from peers where network_id = ${networkId} and last_seen_at >= ${since.toISOString()}`) as unknown as { n: number }[];
      return n;
    };
    let seen = 0;
    for (let i = 0; i < 240 && (seen = await connected(connectStarted)) < hosts.length; i++) await sleep(250);
    const connectMs = epochNow() - tConnect;
    log(`issue 13: ${seen}/${hosts.length} channels connected in ${ms(connectMs)}`);
    await sleep(3000);
    const rssIdle = await steadyRss(server.pid);
    const stats = () => Promise.all(agents.map((a) => a.call<{ rss: number; failures: number; problems: Record<string, number>; cpuMs: number; verifications: number; ok: number; refused: number }>('stats')));
    const idleStats = await stats();
    const agentsRss = idleStats.reduce((n, s) => n + s.rss, 0);

    /** Every agent at `version`: the latest time (the agents' clocks) one of them got there. */
    const allAt = async (version: number, timeoutMs: number) => {
      const done = await Promise.all(agents.map((a, i) => a.call<{ at: number | null; reached: number }>('waitVersion', { version, count: slices[i].length, timeoutMs }, timeoutMs + 10_000)));
      const reached = done.reduce((n, d) => n + d.reached, 0);
      return { at: done.some((d) => d.at === null) ? NaN : Math.max(...done.map((d) => d.at!)), reached };
    };

    // (1) one change through the API (a host added to an addon) until every channel agent has applied it.
    const repeats = ctx.quick ? 2 : 3;
    const changes: { ms: number; reached: number; version: number; cpu: { app: number; pg: number; stubs: number }; xacts: number }[] = [];
    // CPU of the app's processes, of this database's PostgreSQL backends and of the stubs, per change.
    const cpuNow = async () => {
      const [{ xacts }] = await db.execute(sql`select xact_commit + xact_rollback as xacts from pg_stat_database where datname = current_database()`) as unknown as { xacts: number }[];
      return { ...await cpuOfParts(db, server!.pid, agents.map((a) => a.pid)), xacts: Number(xacts) };
    };
    // Changes first, not counted: a long-running app (and agent) has delivered changes before,
    // its channel code compiled by the JIT and its caches warm, as the push rows' worker is warm.
    // Measured: the first changes after a start cost the app and the stubs up to 1.8× the CPU.
    const warmups: number[] = [];
    for (let i = 0; i < warmupChanges; i++) {
      await api.call('PUT', `/api/v1/members/${ctx.memberId}/processes`, { instances: (await instances()) + 1 });
      const written = epochNow();
      warmups.push((await allAt(await versionNow(), 60_000)).at - written);
      await sleep(1500);
    }
    for (let i = 0; i < repeats; i++) {
      const count = await instances();
      const before = await cpuNow();
      await api.call('PUT', `/api/v1/members/${ctx.memberId}/processes`, { instances: count + 1 });
      const written = epochNow();
      const version = await versionNow();
      const r = await allAt(version, 60_000);
      await sleep(1500); // answers recorded, polls held again
      const after = await cpuNow();
      changes.push({ ms: r.at - written, reached: r.reached, version,
        cpu: { app: cpuSince(before.app, after.app), pg: cpuSince(before.pg, after.pg), stubs: cpuSince(before.stubs, after.stubs) }, xacts: after.xacts - before.xacts });
    }
    const changeStats = await stats();
    log(`issue 13: changes ${changes.map((c) => ms(c.ms)).join(', ')}; channel failures ${JSON.stringify(problemsOf(changeStats))}`);
    const cm = median(changes.map((c) => c.ms));
    rows.push({
      what: `issue 13: one change in a ${hosts.length.toLocaleString('en')}-host network, from the API write returning until all ${hosts.length.toLocaleString('en')} channel agents have applied it (median of ${repeats})`,
      target: { value: 1000, text: '≤ 1 s' }, measured: cm, shown: ms(cm),
      notes: `PUT /api/v1/members/{id}/processes (one addon host added), after ${warmupChanges} changes not counted (the app and agents warm: ${warmups.map(ms).join(', ')}); all: ${changes.map((c) => `${ms(c.ms)} (${c.reached} at v${c.version})`).join(', ')}; `
        + `CPU per change (to the answers recorded): app ${changes.map((c) => ms(c.cpu.app)).join(', ')}, PostgreSQL ${changes.map((c) => ms(c.cpu.pg)).join(', ')}, stubs ${changes.map((c) => ms(c.cpu.stubs)).join(', ')}; database transactions per change ${changes.map((c) => c.xacts).join(', ')}; `
        + `${agents.length} stub processes on agent/channel.ts (${transportText}), ${changeStats.reduce((n, s) => n + s.verifications, 0)} signature checks, ${changeStats.reduce((n, s) => n + s.refused, 0)} refusals, ${changeStats.reduce((n, s) => n + s.failures, 0)} channel failures`,
    });
    rows.push({
      what: `issue 13: ${hosts.length.toLocaleString('en')} agents connected and idle: extra memory of the app process(es)`,
      target: { value: 300e6, text: '≤ 300 MB' }, measured: rssIdle - rssBefore, shown: mb(rssIdle - rssBefore),
      notes: `RSS of the app (primary + cluster workers, /proc VmRSS) ${mb(rssBefore)} before, ${mb(rssIdle)} with ${seen} channels held (${transportText}; all connected in ${ms(connectMs)}, 3 s before reading); `
        + `the stub processes: ${mb(agentsRss)}; ${idleStats.reduce((n, s) => n + s.failures, 0)} channel failures while connecting`,
    });

    // (3) the app restarted, with a change made while it was down (the real operation, on the database).
    log('issue 13: restarting the app with every channel connected');
    const tKill = epochNow();
    await server.stop();
    server = null;
    const count = await instances();
    await scaleMember(db, ctx.actor, ctx.memberId, { instances: count + 1 });
    const version = await versionNow();
    const tSpawn = epochNow();
    const opened = portOpen(port, 120_000); // the agents can reconnect from here on
    server = await start();
    const tReady = epochNow();
    const tOpen = await opened;
    const back = await allAt(version, 120_000);
    const restartMs = back.at - tOpen;
    const afterStats = await stats();
    log(`issue 13: back after the restart in ${ms(restartMs)}; failures ${JSON.stringify(problemsOf(afterStats))}`);
    rows.push({
      what: `issue 13: ${hosts.length.toLocaleString('en')} agents reconnecting at once after an app restart: until all are connected and up to date`,
      target: { value: 20_000, text: '≤ 20 s' }, measured: restartMs, shown: ms(restartMs),
      notes: `from the restarted app accepting connections until the last agent applied v${version} (made while the app was down); ${back.reached}/${hosts.length} reached it; `
        + `stopped in ${ms(tSpawn - tKill)}, listening ${ms(tOpen - tSpawn)} after the start (answering /sign-in after ${ms(tReady - tSpawn)}), from the kill ${ms(back.at - tKill)}; the agents' backoff (1 s doubling to 10 s, jittered) sets when each retries; `
        + `${afterStats.reduce((n, s) => n + s.failures, 0)} failed polls while down or connecting`,
    });
  } finally {
    for (const a of agents) await a.stop().catch(() => {});
    await server?.stop().catch(() => {});
  }
  return rows;
}
