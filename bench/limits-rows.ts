/*
 * Issue 19's rows held against the machine's own limits (bench/README.md, "Issue 19"):
 * the API against a bare node:http server answering the same bytes, the devices list and
 * "My access" with 1,000 devices, the network page's size at 100 / 1,000 / 5,000 hosts, and
 * the server's resident memory, idle, on PostgreSQL and on the embedded database.
 * run.ts calls limitsRows() while its app server still runs.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { chromium } from '@playwright/test';
import type { Db } from '../lib/server/db/client';
import { startAppServer } from './app-server';
import { Api, signIn, type Session } from './http';
import { startWriter } from './hot-writer';
import { freePort, median, mb, ms, now, percentile, processTree, sleep } from './stats';

type Target = { value: number; text: string };
export type LimitsContext = {
  root: string; db: Db; appEnv: Record<string, string>; tmp: string; quick: boolean; N: number; chromiumPath: string;
  base: string; api: Api; token: string; session: Session; email: string; password: string;
  projectId: string; issue3Network: string; bigNetwork: string;
  row: (what: string, target: Target | undefined, measured: number | null, shown: string, notes?: string) => void;
  phase: (name: string, work: () => Promise<void>) => Promise<void>;
  log: (msg: string) => void;
};

const rss = (pid: number) => {
  try { return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024; } catch { return NaN; }
};

type Load = { requests: { average: number; total: number }; latency: { p50: number }; non2xx: number; errors: number };
async function autocannonLoad(url: string, connections: number, seconds: number, headers: Record<string, string>, onResponse?: (status: number, time: number) => void): Promise<Load> {
  const { default: autocannon } = await import('autocannon');
  return new Promise((resolve, reject) => {
    const inst = autocannon({ url, connections, duration: seconds, timeout: 10, headers }, (err, res) => (err ? reject(err) : resolve(res as unknown as Load)));
    if (onResponse) inst.on('response', (_c: unknown, status: number, _b: number, time: number) => onResponse(status, time));
  });
}

/** Time to interactive of a page in Chromium: `ready` (in the page) true, checked every 5 ms from before the page's scripts. */
async function tti(opts: { chromiumPath: string; base: string; path: string; session: Session; loads: number; ready: string }): Promise<{ tti: number[]; elements: number }> {
  const browser = await chromium.launch({ executablePath: opts.chromiumPath, headless: true, args: ['--disable-gpu'] });
  const out: number[] = [];
  let elements = 0;
  try {
    for (let i = 0; i < opts.loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      try {
        await context.addCookies([{ name: opts.session.name, value: opts.session.value, url: opts.base }]);
        const page = await context.newPage();
        await page.addInitScript({ content: `globalThis.__name = (f) => f; const __ready = ${opts.ready};
          const __t = setInterval(() => { try { if (__ready()) { window.__benchTti = performance.now(); clearInterval(__t); } } catch {} }, 5);` });
        await page.goto(`${opts.base}${opts.path}`, { waitUntil: 'commit', timeout: 60_000 });
        out.push(await (await page.waitForFunction(() => (window as unknown as { __benchTti?: number }).__benchTti, null, { timeout: 60_000, polling: 50 })).jsonValue() as number);
        await page.waitForLoadState('load', { timeout: 60_000 });
        elements = await page.evaluate(() => document.getElementsByTagName('*').length);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return { tti: out, elements };
}

/** A controlled input is interactive when React commits a value typed into it (then taken back). */
const reactInput = (selector: string, rows: string) => `() => {
  const input = document.querySelector(${JSON.stringify(selector)});
  const key = input && Object.keys(input).find((k) => k.startsWith('__reactProps'));
  if (!input || !key || document.querySelectorAll(${JSON.stringify(rows)}).length === 0) return false;
  const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  set.call(input, '~'); input.dispatchEvent(new Event('input', { bubbles: true }));
  const ok = input[key].value === '~';
  set.call(input, ''); input.dispatchEvent(new Event('input', { bubbles: true }));
  return ok && input[key].value === '';
}`;

export async function limitsRows(c: LimitsContext) {
  // The peer whose updates make the snapshot cache miss (bench/hot-writer.ts): the big network's first.
  let hot: string | undefined;
  const hotPeer = async () => (hot ??= ((await c.db.execute(sql`select id from peers where network_id = ${c.bigNetwork} order by ip limit 1`)) as unknown as { id: string }[])[0].id);
  const ratioTarget = { value: 0.5, text: '≥ 0.5' };
  const duration = c.quick ? 5 : 10;

  // -- the peers API against a bare node:http server answering the same bytes ---------------
  await c.phase('issue 19: the peers API against a bare node server', async () => {
    const url = `${c.base}/api/v1/networks/${c.bigNetwork}/peers?limit=100`;
    const headers = { authorization: `Bearer ${c.token}` };
    const res = await fetch(url, { headers: { ...headers, 'accept-encoding': 'identity' } });
    const body = Buffer.from(await res.arrayBuffer());
    const answerHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => { if (!['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)) answerHeaders[k] = v; });
    writeFileSync(path.join(c.tmp, 'bare-body'), body);
    const port = await freePort(3500, 3549, [Number(new URL(c.base).port)]);
    const bare = spawn(process.execPath, [path.join(c.root, 'bench/bare-server.mjs'), String(port), path.join(c.tmp, 'bare-body'), JSON.stringify(answerHeaders)], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve, reject) => { bare.stdout!.once('data', resolve); bare.once('exit', reject); });
      const bareUrl = `http://127.0.0.1:${port}/api/v1/networks/${c.bigNetwork}/peers?limit=100`;
      await autocannonLoad(url, 50, 3, headers); // warm-up
      await autocannonLoad(bareUrl, 50, 2, headers);
      // Interleaved halves, so that the machine's other load falls on both alike.
      let api = 0; let plain = 0; let apiP50: number[] = [];
      for (let i = 0; i < 2; i++) {
        const a = await autocannonLoad(url, 50, duration / 2, headers);
        const b = await autocannonLoad(bareUrl, 50, duration / 2, headers);
        api += a.requests.total; plain += b.requests.total; apiP50 = [...apiP50, a.latency.p50];
      }
      const ratio = api / plain;
      c.row('issue 19: peers API (a page of 100, 50 clients), requests/s as a ratio of a bare node:http server answering the same bytes', ratioTarget, null,
        `${ratio.toFixed(2)} ${ratio >= 0.5 ? '✓' : '✗'}`, `API ${(api / duration).toFixed(0)} req/s (all its processes), bare node (one process) ${(plain / duration).toFixed(0)} req/s; ${body.length} B answers; interleaved, ${duration} s each`);

      // The same with the snapshot cache missing: a listed peer updated 1,000 times a second.
      const writer = await startWriter(await hotPeer(), 1000);
      const a = await autocannonLoad(url, 50, duration, headers);
      const writes = await writer.stop();
      const b = await autocannonLoad(bareUrl, 50, duration, headers);
      const missRatio = a.requests.total / b.requests.total;
      c.row('issue 19: the same, the snapshot cache missing (a listed peer updated 1,000 times a second)', ratioTarget, null,
        `${missRatio.toFixed(2)} ${missRatio >= 0.5 ? '✓' : '✗'}`, `API ${a.requests.average.toFixed(0)} req/s with ${writes} updates in ${duration} s, then bare node ${b.requests.average.toFixed(0)} req/s`);
    } finally {
      bare.kill();
    }
  });

  // -- devices: 1,000 for one user, listed and shown ---------------------------------------
  await c.phase('issue 19: 1,000 devices (API list, My access)', async () => {
    const { createUser } = await import('../lib/server/users/users');
    const { createApiToken } = await import('../lib/server/tokens/api-tokens');
    const { createProjectOp } = await import('../lib/server/projects/operations');
    const { createNetworkOp } = await import('../lib/server/networks/operations');
    const { createMemberOp } = await import('../lib/server/members/operations');
    const { createDeviceOp } = await import('../lib/server/devices/operations');
    const { generateKeyPair } = await import('../lib/core/wireguard/keys');
    // A user of their own, in a project of their own: the other rows' networks get no devices.
    const email = 'devices@example.test';
    const password = 'devices-bench-password';
    const user = await createUser(c.db, { email, password, name: 'Devices' });
    const { token } = await createApiToken(c.db, user.id, 'devices');
    const principal = { userId: user.id, email };
    const meta = { db: c.db, ip: '127.0.0.1' };
    const { id: projectId } = await createProjectOp.execute(principal, { name: 'devices' }, meta);
    const { id: networkId } = await createNetworkOp.execute(principal, { projectId, label: 'devices' }, meta);
    await createMemberOp.execute(principal, { networkId, kind: 'external', label: 'box', instances: 3 }, meta);
    const count = 1000;
    const t0 = now();
    // The API's own create (POST /api/v1/devices runs this operation), in-process, 4 at a time.
    for (let i = 0; i < count; i += 4) {
      await Promise.all([0, 1, 2, 3].filter((k) => i + k < count).map((k) =>
        createDeviceOp.execute(principal, { name: `d${String(i + k).padStart(4, '0')}`, publicKey: generateKeyPair().publicKey }, meta)));
    }
    const created = now() - t0;
    await c.db.execute(sql`analyze`);
    const url = `${c.base}/api/v1/devices`;
    // As API clients send it (fetch, browsers, Python's requests, curl --compressed): the
    // list of 1,000 is 712 kB of JSON, 66 kB gzipped, compressed once per cached answer.
    const headers = { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' };
    const p95Of = async (h: Record<string, string>, writesPerSecond = 0, target?: { deviceId: string }) => {
      const lat: number[] = [];
      const writer = await startWriter(target ?? await hotPeer(), writesPerSecond);
      const r = await autocannonLoad(url, 20, duration, h, (status, time) => { if (status === 200) lat.push(time); });
      return { p95: percentile(lat, 95), p50: median(lat), rate: lat.length / duration, non2xx: r.non2xx, writes: await writer.stop() };
    };
    await autocannonLoad(url, 20, 2, headers);
    const hit = await p95Of(headers);
    const identity = await p95Of({ authorization: headers.authorization });
    c.row('issue 19: GET /api/v1/devices with 1,000 devices, p95 under 20 clients', { value: 50, text: '≤ 50 ms' }, hit.p95, ms(hit.p95),
      `${hit.rate.toFixed(0)} req/s, p50 ${ms(hit.p50)}, non-2xx ${hit.non2xx}; Accept-Encoding: gzip; without it (712 kB answers): p95 ${ms(identity.p95)}, ${identity.rate.toFixed(0)} req/s; the snapshot cache hitting (nothing written meanwhile); queries per request do not grow with the devices: test/integration/devices-query-count.test.ts; 1,000 devices created in ${ms(created)}`);
    // The same with the cache missing: a peer elsewhere updated 1,000 times a second.
    const miss = await p95Of(headers, 1000);
    c.row('issue 19: the same, the snapshot cache missing (a peer updated 1,000 times a second)', { value: 50, text: '≤ 50 ms' }, miss.p95, ms(miss.p95),
      `${miss.rate.toFixed(0)} req/s, p50 ${ms(miss.p50)}, non-2xx ${miss.non2xx}, ${miss.writes} updates in ${duration} s (from a process of their own); `
      + 'none of the list\'s rows changed: each miss checks their versions (one query, devicesListVersion) and answers the list kept');
    // And with the list itself changing: one device's last handshake updated 100 times a second.
    const [{ id: deviceId }] = await c.db.execute(sql`select id from devices where user_id = ${user.id} order by name limit 1`) as unknown as { id: string }[];
    const changing = await p95Of(headers, 100, { deviceId });
    c.row('diagnostic: the same, one of the 1,000 devices changing (its last handshake updated 100 times a second)', undefined, changing.p95, ms(changing.p95),
      `${changing.rate.toFixed(0)} req/s, p50 ${ms(changing.p50)}, non-2xx ${changing.non2xx}, ${changing.writes} updates in ${duration} s; each change reads the list again and rebuilds that one device's item (the other 999 kept with their JSON)`);

    const session = await signIn(c.base, email, password);
    // Each server process renders the page once first, as a running server has: the cold
    // loads below are the browser's (no cache), not a process loading the route.
    for (let i = 0; i < 6; i++) await (await fetch(`${c.base}/access`, { headers: { cookie: session.header } })).arrayBuffer();
    const figures = await tti({ chromiumPath: c.chromiumPath, base: c.base, path: '/access', session, loads: c.quick ? 3 : 5,
      ready: reactInput('input[name="name"]', '[data-testid="device-list"] > li') });
    const t = median(figures.tti);
    c.row(`issue 19: "My access" with 1,000 devices: time to interactive (Chromium, median of ${figures.tti.length} cold loads)`, { value: 800, text: '≤ 800 ms' }, t, ms(t),
      `each load: ${figures.tti.map(ms).join(', ')}; ${figures.elements} DOM elements; interactive = devices listed and the name box takes input; the page rendered 6 times first (each server process warm)`);
  });

  // -- the network page's size at 100, 1,000 and 5,000 hosts --------------------------------
  await c.phase('issue 19: the network page at 100, 1,000 and 5,000 hosts', async () => {
    const sizes: { hosts: number; bytes: number; elements: number }[] = [];
    for (const hosts of [100, 1000, 5000]) {
      let networkId = hosts === c.N ? c.bigNetwork : '';
      if (!networkId) {
        ({ id: networkId } = await c.api.call<{ id: string }>('POST', `/api/v1/projects/${c.projectId}/networks`, { label: `size-${hosts}` }));
        for (let b = 0; b < hosts / 100; b++) await c.api.call('POST', `/api/v1/networks/${networkId}/members`, { kind: 'addon', label: `batch-${String(b).padStart(3, '0')}`, instances: 100 });
      }
      const page = `/projects/${c.projectId}/networks/${networkId}`;
      const res = await fetch(`${c.base}${page}`, { headers: { cookie: c.session.header } });
      const bytes = (await res.arrayBuffer()).byteLength;
      const { elements } = await tti({ chromiumPath: c.chromiumPath, base: c.base, path: page, session: c.session, loads: 1,
        ready: '() => document.querySelectorAll(\'[data-testid="peers-table"] tbody tr\').length > 0' });
      sizes.push({ hosts, bytes, elements });
    }
    const spread = (values: number[]) => Math.max(...values) / Math.min(...values) - 1;
    const notes = sizes.map((s) => `${s.hosts.toLocaleString('en')} hosts: ${(s.bytes / 1024).toFixed(0)} KiB, ${s.elements.toLocaleString('en')} elements`).join('; ');
    const target = { value: 0.2, text: '≤ 20 %' };
    const e = spread(sizes.map((s) => s.elements));
    const b = spread(sizes.map((s) => s.bytes));
    c.row('issue 19: the network page at 100, 1,000 and 5,000 hosts: DOM elements, largest over smallest', target, e, `+${(100 * e).toFixed(1)} %`, notes);
    c.row('issue 19: the same: HTML bytes, largest over smallest', target, b, `+${(100 * b).toFixed(1)} %`, 'addons of 100 instances; the page lists 100 hosts and 20 members');
  });

  // -- resident memory, idle: a fresh server, the 1,000-host network's page served once -----
  const idleRss = async (server: { pid: number; url: string }, session: Session, page: string) => {
    const res = await fetch(`${server.url}${page}`, { headers: { cookie: session.header } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${page} answered ${res.status}`);
    await sleep(10_000); // idle
    return processTree(server.pid).map((pid) => rss(pid));
  };
  await c.phase('issue 19: RSS of each server process on PostgreSQL, idle', async () => {
    const port = await freePort(3500, 3549, [Number(new URL(c.base).port)]);
    const server = await startAppServer({ root: c.root, port, env: c.appEnv, logFile: path.join(c.tmp, 'server-rss.log') });
    try {
      const each = await idleRss(server, await signIn(server.url, c.email, c.password), `/projects/${c.projectId}/networks/${c.issue3Network}`);
      const worst = Math.max(...each);
      c.row('issue 19: RSS of each server process on PostgreSQL, idle, a 1,000-host network loaded and its page served once', { value: 200e6, text: '≤ 200 MB' }, worst, mb(worst),
        `processes (primary first): ${each.map(mb).join(', ')}; a fresh server on the bench's database, 10 s after the page`);
    } finally {
      await server.stop();
    }
  });
  await c.phase('issue 19: RSS of the whole server on the embedded database, idle', async () => {
    const dataDir = path.join(c.tmp, 'pglite-data');
    mkdirSync(dataDir);
    const { openDatabase } = await import('../lib/server/db/client');
    const { createUser } = await import('../lib/server/users/users');
    const { createApiToken } = await import('../lib/server/tokens/api-tokens');
    const email = 'pglite@example.test';
    const password = 'pglite-bench-password';
    const handle = await openDatabase(undefined, { dataDir, kind: 'cli' });
    let token = '';
    try {
      const user = await createUser(handle.db, { email, password, name: 'PGlite' });
      ({ token } = await createApiToken(handle.db, user.id, 'pglite'));
    } finally {
      await handle.close();
    }
    const port = await freePort(3500, 3549, [Number(new URL(c.base).port)]);
    // The node flags scripts/setup.sh starts the server with on PGlite.
    const server = await startAppServer({ root: c.root, port, env: { ...c.appEnv, MESHPLANE_DATA_DIR: dataDir }, nodeArgs: ['--max-semi-space-size=1'], unset: ['DATABASE_URL', 'MESHPLANE_PROCESSES'], logFile: path.join(c.tmp, 'server-pglite.log') });
    try {
      const api = new Api(server.url, token);
      const project = await api.call<{ id: string }>('POST', '/api/v1/projects', { name: 'pglite' });
      const network = await api.call<{ id: string }>('POST', `/api/v1/projects/${project.id}/networks`, { label: 'issue-3' });
      const member = await api.call<{ id: string }>('POST', `/api/v1/networks/${network.id}/members`, { kind: 'application', label: 'app', processes: { web: 1 } });
      await api.call('PUT', `/api/v1/members/${member.id}/processes`, { web: 1000 });
      const each = await idleRss(server, await signIn(server.url, email, password), `/projects/${project.id}/networks/${network.id}`);
      const total = each.reduce((s, v) => s + v, 0);
      c.row('issue 19: RSS of the whole server on the embedded database (PGlite), idle, a 1,000-host network loaded and its page served once', { value: 250e6, text: '≤ 250 MB' }, total, mb(total),
        `${each.length} process(es): ${each.map(mb).join(', ')}; node --max-semi-space-size=1 (as scripts/setup.sh); shared_buffers ${process.env.MESHPLANE_PGLITE_SHARED_BUFFERS || '8MB'}; 10 s after the page`);
    } finally {
      await server.stop();
    }
  });
}
