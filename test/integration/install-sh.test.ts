import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, stop } from './mesh-support';
import { pgliteEnv, root, waitForListening, type ServerProcess } from './server-process';

/*
 * GET /agent/install.sh, /agent/meshplane-agent.mjs and its .sha256 from the REAL built app
 * (PGlite, its own data dir), and the installer run with sh into a temporary prefix
 * (MESHPLANE_INSTALL_DIR, MESHPLANE_BIN_DIR, MESHPLANE_STATE_DIR): systemd absent, missing
 * tools, download and verify, a tampered download refused, the join step's refusal printed.
 */

const work = mkdtempSync(path.join(tmpdir(), 'meshplane-install-sh-'));
const bundleFile = path.join(root, 'dist/agent/meshplane-agent.mjs');
let server: ServerProcess;
let base: string;
let script: string;
let tamperer: Server;
let tamperedBase: string;

/** A free port in this helper's range (3250–3269). */
async function portInRange(): Promise<number> {
  for (let port = 3250 + Math.floor(Math.random() * 10); port <= 3269; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const s = netServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 3250–3269');
}

type Run = { code: number | null; stdout: string; stderr: string };
function runScript(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const file = path.join(work, `install-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, script);
  const child = spawn('sh', [file, ...args], { env: { PATH: process.env.PATH!, HOME: work, ...env } as unknown as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** A temporary prefix for one run: where the agent, its command and its state go. */
function prefix(name: string) {
  const dir = path.join(work, name);
  return {
    dir,
    env: { MESHPLANE_INSTALL_DIR: path.join(dir, 'lib'), MESHPLANE_BIN_DIR: path.join(dir, 'bin'), MESHPLANE_STATE_DIR: path.join(dir, 'state'), MESHPLANE_UNIT_DIR: path.join(dir, 'systemd') },
  };
}

beforeAll(async () => {
  requireBuild();
  if (!existsSync(bundleFile)) throw new Error('no agent bundle in dist/agent/: run `npm run build:agent` (or `npm run build`) first');
  const port = await portInRange();
  base = `http://127.0.0.1:${port}`;
  const env = pgliteEnv(path.join(work, 'data'), { MESHPLANE_PUBLIC_URL: `${base}/`, MESHPLANE_LISTEN: '0', MESHPLANE_WORKER_TIMER: '0' });
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['server.ts'], { cwd: root, env: { ...env, PORT: String(port) } });
  let log = '';
  child.stdout!.on('data', (d) => { log += d; });
  child.stderr!.on('data', (d) => { log += d; });
  server = Object.assign(child, { output: () => log, port });
  await waitForListening(server, server.output, 120_000);
  const res = await fetch(`${base}/agent/install.sh`);
  expect(res.status).toBe(200);
  script = await res.text();
  // In front of the real server: the agent with one byte changed, the real .sha256.
  tamperer = createServer((req, res) => {
    request(`${base}${req.url}`, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url === '/agent/meshplane-agent.mjs') body[body.length - 2] ^= 1;
        res.writeHead(up.statusCode!, { 'content-type': up.headers['content-type'] ?? 'text/plain' }).end(body);
      });
    }).end();
  });
  await new Promise<void>((r) => tamperer.listen(0, '127.0.0.1', r));
  tamperedBase = `http://127.0.0.1:${(tamperer.address() as { port: number }).port}`;
}, 150_000);

afterAll(async () => {
  tamperer?.close();
  if (server) await stop(server);
  rmSync(work, { recursive: true, force: true });
});

describe('GET /agent/… (the installable agent)', () => {
  it('serves the bundle, its sha256 line and the installer with MESHPLANE_PUBLIC_URL filled in', async () => {
    const res = await fetch(`${base}/agent/meshplane-agent.mjs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(readFileSync(bundleFile))).toBe(true);
    const hex = createHash('sha256').update(body).digest('hex');
    expect(res.headers.get('etag')).toBe(`"${hex}"`);
    expect((await fetch(`${base}/agent/meshplane-agent.mjs`, { headers: { 'if-none-match': `"${hex}"` } })).status).toBe(304);
    const sum = await fetch(`${base}/agent/meshplane-agent.mjs.sha256`);
    expect(sum.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await sum.text()).toBe(`${hex}  meshplane-agent.mjs\n`);
    const sh = await fetch(`${base}/agent/install.sh`);
    expect(sh.headers.get('content-type')).toMatch(/^text\/x-shellscript/);
    expect(script).toContain(`SERVER="\${MESHPLANE_SERVER:-${base}}"`);
    expect(script).not.toContain('__MESHPLANE_PUBLIC_URL__');
  });
});

describe('install.sh', () => {
  it('without systemd says so, offers --no-systemd and installs nothing', async () => {
    const p = prefix('no-systemd-probe');
    const r = await runScript(['--key', 'mpk_whatever'], { ...p.env, MESHPLANE_SYSTEMD_PROBE: path.join(work, 'no-such-dir') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('systemd is not running on this host');
    expect(r.stderr).toContain('--no-systemd');
    expect(existsSync(p.env.MESHPLANE_INSTALL_DIR)).toBe(false);
  });

  it('names each missing tool with what to install', async () => {
    // A PATH with node, sh and the basics, but neither wg nor nft nor wireguard-go.
    const bin = path.join(work, 'thin-bin');
    mkdirSync(bin);
    for (const tool of ['node', 'sh', 'ip', 'curl', 'sed', 'cut', 'sha256sum', 'mkdir', 'chmod', 'mv', 'rm', 'cat', 'modprobe']) {
      const found = ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'].map((d) => path.join(d, tool)).find((f) => existsSync(f));
      if (found) symlinkSync(found, path.join(bin, tool));
    }
    const r = await runScript(['--key', 'mpk_whatever', '--no-systemd'], { ...prefix('thin').env, PATH: bin });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('this host lacks what the Meshplane agent needs');
    expect(r.stderr).toMatch(/- wg: install wireguard-tools/);
    expect(r.stderr).toMatch(/- nft: install nftables/);
    expect(r.stderr).not.toMatch(/- node:/);
  });

  it('--no-systemd downloads the agent, checks its sha256, installs it, and prints why joining was refused', async () => {
    const p = prefix('enrol');
    const r = await runScript(['--no-systemd', '--token', 'not-a-real-token', '--endpoint', '127.0.0.1:51820'], p.env);
    expect(r.stderr).toContain(`downloading ${base}/agent/meshplane-agent.mjs`);
    const installed = path.join(p.env.MESHPLANE_INSTALL_DIR, 'meshplane-agent.mjs');
    expect(readFileSync(installed).equals(readFileSync(bundleFile))).toBe(true);
    expect(r.stderr).toContain(`installed ${installed} (sha256 ${createHash('sha256').update(readFileSync(bundleFile)).digest('hex')})`);
    expect(readFileSync(path.join(p.env.MESHPLANE_BIN_DIR, 'meshplane-agent'), 'utf8')).toContain(installed);
    // The server refuses the token: the agent's own message, then the installer's.
    expect(r.stderr).toMatch(/meshplane-agent enroll: enrolment refused \(4\d\d\): \S/);
    expect(r.stderr).toContain('joining failed');
    expect(r.code).toBe(1);
    expect(existsSync(path.join(p.env.MESHPLANE_UNIT_DIR, 'meshplane-agent.service'))).toBe(false);
  });

  it('--key runs `meshplane-agent join --server URL --key K` with --process/--instance/--endpoint passed through', async () => {
    const p = prefix('join');
    const r = await runScript(['--no-systemd', '--key', 'mpk_refused', '--process', 'web', '--instance', '3', '--endpoint', '127.0.0.1:51820'], p.env);
    expect(existsSync(path.join(p.env.MESHPLANE_INSTALL_DIR, 'meshplane-agent.mjs'))).toBe(true);
    expect(r.stderr).toContain(`joining: meshplane-agent join --server ${base} --key … --process web --instance 3 --endpoint 127.0.0.1:51820`);
    // A key the server does not know is refused (or, before `join` exists, the agent says how it is used).
    expect(r.stderr).toMatch(/meshplane-agent/);
    expect(r.stderr).toContain('joining failed');
    expect(r.code).toBe(1);
  });

  it('refuses an agent whose sha256 is not the one the server gives, and installs nothing', async () => {
    const p = prefix('tampered');
    const r = await runScript(['--no-systemd', '--server', tamperedBase, '--token', 'x', '--endpoint', '127.0.0.1:51820'], p.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the downloaded agent's sha256 is [0-9a-f]{64}, the server says [0-9a-f]{64}: not installed/);
    expect(existsSync(path.join(p.env.MESHPLANE_INSTALL_DIR, 'meshplane-agent.mjs'))).toBe(false);
    expect(r.stderr).not.toContain('joining');
  });
});
