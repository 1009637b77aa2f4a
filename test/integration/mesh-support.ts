import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { createNetns, requireRoot, requireTools, requireTun } from '../../agent/test-support';
import { serverEntry } from './server-process';

/*
 * Plumbing for the root end-to-end test (mesh-e2e.test.ts): an underlay of namespaces on a
 * bridge in the root namespace, and the built app as a child process. Everything made here
 * is listed in `cleanups` and undone in reverse order, even when a step fails.
 */

export const underlay = { bridgeIp: '198.51.100.254', prefix: 24 };
export type Underlay = typeof underlay;
export type Ns = ReturnType<typeof createNetns>;

/** Another root test running beside mesh-e2e gives its own underlay and name prefix (e.g. 'mpj'). */
export type PlumbingOptions = { underlay?: Underlay; prefix?: string };

export class Plumbing {
  readonly tag = randomBytes(2).toString('hex'); // interface names are machine-wide (wireguard-go sockets)
  private readonly cleanups: (() => void | Promise<void>)[] = [];
  readonly underlay: Underlay;
  private readonly prefix: string | undefined;
  readonly bridge: string;

  constructor(opts: PlumbingOptions = {}) {
    this.underlay = opts.underlay ?? underlay;
    this.prefix = opts.prefix;
    this.bridge = `${opts.prefix ?? 'mpb'}${this.tag}`;
  }

  onCleanup(fn: () => void | Promise<void>) {
    this.cleanups.push(fn);
  }

  async cleanup() {
    for (const fn of this.cleanups.reverse()) {
      try { await fn(); } catch (e) { console.error('cleanup step failed:', e); }
    }
    this.cleanups.length = 0;
  }

  /** The bridge holding the underlay's address (198.51.100.254 by default) in the root namespace; refuses if the range is in use. */
  makeBridge() {
    const net = `${this.underlay.bridgeIp.split('.').slice(0, 3).join('.')}.`;
    const used = execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).split('\n').find((l) => l.includes(` ${net}`));
    if (used) throw new Error(`${net}0/${this.underlay.prefix} is already in use in the root namespace (${used.trim()}): another run of this test, or something else; remove it first`);
    execFileSync('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    this.onCleanup(() => { execFileSync('ip', ['link', 'del', this.bridge]); });
    execFileSync('ip', ['addr', 'add', `${this.underlay.bridgeIp}/${this.underlay.prefix}`, 'dev', this.bridge]);
    execFileSync('ip', ['link', 'set', this.bridge, 'up']);
  }

  /** A namespace plugged into the bridge with `ip` on eth0. */
  plug(name: string, ip: string): Ns {
    const ns = createNetns(this.prefix ? `${this.prefix}-${name}` : `mpm-${name}`);
    this.onCleanup(() => ns.remove()); // stops what runs inside, then deletes it (and its veth pair)
    const outer = `${this.prefix ? `${this.prefix}v` : 'mpv'}${this.tag}${name}`;
    execFileSync('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.name]);
    execFileSync('ip', ['link', 'set', outer, 'master', this.bridge, 'up']);
    ns.exec(['ip', 'addr', 'add', `${ip}/${this.underlay.prefix}`, 'dev', 'eth0']);
    ns.exec(['ip', 'link', 'set', 'eth0', 'up']);
    ns.exec(['ip', 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A child process stopped (TERM, then KILL) at cleanup. */
  spawn(cmd: string, args: string[], opts: Parameters<typeof spawn>[2] = {}): ChildProcess & { output: () => string } {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    child.stdout?.on('data', (c) => { out = (out + c).slice(-20_000); });
    child.stderr?.on('data', (c) => { out = (out + c).slice(-20_000); });
    child.on('error', (e) => { out += `\n${e.message}`; });
    this.onCleanup(() => stop(child));
    return Object.assign(child, { output: () => out });
  }
}

export async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** The built app's directory; the test must fail, not skip, when there is no build. */
export function requireBuild(): string {
  const dist = process.env.NEXT_DIST_DIR || '.next';
  if (!existsSync(path.join(dist, 'BUILD_ID'))) {
    throw new Error(`no built app in ${dist}/ (BUILD_ID missing): run \`npx next build\` first (scripts/test.sh builds before the integration layer)`);
  }
  if (!existsSync('dist/server/server.mjs')) {
    throw new Error('no built server (dist/server/server.mjs missing): run `npm run build`, or `node scripts/build-server.mjs`, first');
  }
  return dist;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 30_000, every = 200): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown = null;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

export type MeshPeer = { id: string; number: number; ip: string; publicKey: string | null; appliedVersion: number; desiredVersion: number; lastError: string | null };

export type BuiltApp = {
  base: string;
  api: <T = Record<string, unknown>>(method: string, url: string, body?: unknown) => Promise<T>;
  /** Waits (no worker call, no button) until every enrolled host of the network runs its current version. */
  converged: (networkId: string, withinMs?: number) => Promise<MeshPeer[]>;
  /** SIGKILL, no cleanup at all (faults.test.ts); resolves once the process is gone. */
  kill: () => Promise<void>;
  /** The same app again (same environment and secrets, same database), waited for until it serves. */
  restart: () => Promise<void>;
};

/**
 * The built app as a child of `p` on `host:port`, over `databaseUrl`: a user and an API token
 * made with the CLI (bootstrap without HTTP, API.md), then everything else through the API.
 */
export async function startBuiltApp(p: Plumbing, o: {
  databaseUrl: string; dataDir: string; dist: string; host: string; port: number; email: string; env?: Record<string, string>;
}): Promise<BuiltApp> {
  const cwd = process.cwd();
  const base = `http://${o.host}:${o.port}`;
  const appEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' as const, NEXT_TELEMETRY_DISABLED: '1',
    DATABASE_URL: o.databaseUrl, AUTH_SECRET: randomBytes(32).toString('base64'),
    MESHPLANE_ENCRYPTION_KEY: randomBytes(32).toString('base64'), MESHPLANE_DATA_DIR: o.dataDir,
    HOST: o.host, PORT: String(o.port), NEXT_DIST_DIR: o.dist, ...o.env,
  };
  const cli = (...args: string[]) => execFileSync(path.join(cwd, 'node_modules/.bin/tsx'), ['scripts/cli.ts', ...args], { env: appEnv, encoding: 'utf8', timeout: 60_000 });
  cli('user', 'create', '--email', o.email, '--password', 'correct horse battery staple', '--name', 'Mesh');
  const apiToken = cli('token', 'create', '--email', o.email).trim();
  let server = p.spawn(process.execPath, [serverEntry], { env: appEnv, cwd });
  const serving = () => waitFor(`the app on ${base}`, async () => {
    if (server.exitCode !== null) throw new Error(`the app exited: ${server.output()}`);
    return (await fetch(`${base}/sign-in`, { signal: AbortSignal.timeout(5_000) })).ok;
  }, 90_000, 200);
  await serving();
  const kill = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const gone = new Promise((r) => server.once('exit', r));
    server.kill('SIGKILL');
    await gone;
  };
  const restart = async () => {
    await kill();
    server = p.spawn(process.execPath, [serverEntry], { env: appEnv, cwd });
    await serving();
  };

  const api: BuiltApp['api'] = async (method, url, body) => {
    const res = await fetch(`${base}/api/v1${url}`, {
      method, headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000),
    });
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${JSON.stringify(json)}`);
    return json as never;
  };
  const converged: BuiltApp['converged'] = (networkId, withinMs = 20_000) =>
    waitFor('every enrolled host to apply the current version by itself', async () => {
      const { items } = await api<{ items: MeshPeer[] }>('GET', `/networks/${networkId}/peers`);
      const enrolled = items.filter((x) => x.publicKey);
      const behind = enrolled.filter((x) => x.appliedVersion !== x.desiredVersion);
      if (behind.length > 0) console.log('behind:', behind.map((x) => `${x.ip} ${x.appliedVersion}/${x.desiredVersion} ${x.lastError ?? ''}`).join('; '));
      return behind.length === 0 && enrolled.length > 0 ? items : null;
    }, withinMs, 200);
  return { base, api, converged, kill, restart };
}

/** The first port of [from, to] free on `host` (the bridge's address the built app listens on). */
export async function freePortOn(host: string, from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.createServer().once('error', () => r(false)).listen(port, host, () => s.close(() => r(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${from}–${to}`);
}

/**
 * What a root test with bundled agents needs first: root, the tools, /dev/net/tun, the built app
 * and the agent bundle, copied alone into a temporary bin/ (removed at cleanup).
 */
export async function prepareAgentTest(p: Plumbing, tmpPrefix: string): Promise<{ dist: string; tmp: string; agentFile: string }> {
  requireRoot();
  requireTools(['ip', 'wg', 'wireguard-go', 'nft', 'ping', 'dig']);
  requireTun();
  const dist = requireBuild();
  if (!existsSync('dist/agent/meshplane-agent.mjs')) throw new Error('no bundled agent (dist/agent/meshplane-agent.mjs missing): run `npm run build:agent` (or `npm run build`) first');
  const tmp = await mkdtemp(path.join(tmpdir(), tmpPrefix));
  p.onCleanup(() => rm(tmp, { recursive: true, force: true }));
  await mkdir(path.join(tmp, 'bin'));
  const agentFile = path.join(tmp, 'bin', 'meshplane-agent.mjs');
  await copyFile('dist/agent/meshplane-agent.mjs', agentFile);
  return { dist, tmp, agentFile };
}
