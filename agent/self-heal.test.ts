import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgent } from '../scripts/build-agent';
import { diffStates } from '../lib/core/protocol/diff';
import type { HostEntry, NetworkState } from '../lib/core/protocol/network-state';
import { generateSigningKey, signPayload } from '../lib/core/protocol/signing';
import { envelopeFor } from '../lib/core/protocol/testing';
import { generateKeyPair } from '../lib/core/wireguard/keys';
import { writeIdentity, writePrivateKey } from './state';
import { createNetns, requireRoot, requireTools, requireTun } from './test-support';

/*
 * ROOT, real wireguard-go, the agent as shipped to hosts: the bundled file run with plain
 * `node` from a directory with no node_modules. Two hosts A and B on an underlay bridge inside
 * namespace A (198.51.100.0/24), and N, a neighbour on that underlay without WireGuard that
 * routes the mesh range to B. Nothing is pushed between a breakage and its repair.
 */

const exec = promisify(execFile);
const signer = generateSigningKey();
const tag = randomBytes(2).toString('hex');
let tmp = '';
let bundle = '';
const ns = { a: createNetns('mph15-a'), b: createNetns('mph15-b'), n: createNetns('mph15-n') };
const sh = (k: keyof typeof ns, ...cmd: string[]) => ns[k].exec(cmd);
const keys = { a: generateKeyPair(), b: generateKeyPair() };
const ifname = (k: 'a' | 'b') => `mh${tag}${k}`;
const peerId = (k: 'a' | 'b') => `pe-host0000000${k}`;
const agents: Partial<Record<'a' | 'b', ChildProcess>> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const host = (k: 'a' | 'b', n: number): HostEntry => ({
  peerId: peerId(k), memberId: 'ap-app000000001', kind: 'application', process: 'web', number: n, ip: `10.64.0.${n + 1}`,
  publicKey: keys[k].publicKey, endpoint: `198.51.100.${n}:51820`, gateway: false,
  names: [`${n}.web.ap-app000000001.pn-net000000001.mesh.internal`, 'ap-app000000001.pn-net000000001.mesh.internal'],
});
const v1: NetworkState = {
  networkId: 'pn-net000000001', version: 1, cidr: '10.64.0.0/16', listenPort: 51820, zone: 'mesh.internal',
  deviceBlock: '10.64.240.0/20', hosts: [host('a', 1), host('b', 2)], devices: [], allow: { rules: [], leases: [] },
};
const at = (v: number): NetworkState => ({ ...v1, version: v });
const snapshotOf = (s: NetworkState, k: 'a' | 'b') =>
  envelopeFor(signPayload({ type: 'snapshot', networkId: s.networkId, version: s.version, state: s }, signer.secretKey), peerId(k));

beforeAll(async () => {
  requireRoot();
  requireTools(['ip', 'wg', 'wireguard-go', 'nft', 'ping', 'dig']);
  requireTun();
  tmp = await mkdtemp(join(tmpdir(), 'mp-heal-'));
  bundle = await buildAgent(join(tmp, 'bin', 'meshplane-agent.mjs')); // no node_modules anywhere above it
  sh('a', 'ip', 'link', 'add', 'br0', 'type', 'bridge');
  sh('a', 'ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'br0');
  sh('a', 'ip', 'link', 'set', 'br0', 'up');
  for (const [k, ip] of [['b', '198.51.100.2'], ['n', '198.51.100.7']] as const) {
    sh('a', 'ip', 'link', 'add', `v${k}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns[k].name);
    sh('a', 'ip', 'link', 'set', `v${k}`, 'master', 'br0', 'up');
    sh(k, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
    sh(k, 'ip', 'link', 'set', 'eth0', 'up');
  }
  for (const k of ['a', 'b', 'n'] as const) sh(k, 'ip', 'link', 'set', 'lo', 'up');
  sh('n', 'ip', 'route', 'add', '10.64.0.0/16', 'via', '198.51.100.2'); // the underlay neighbour
  for (const k of ['a', 'b'] as const) {
    const dir = join(tmp, k);
    await writePrivateKey(dir, keys[k].privateKey);
    await writeIdentity(dir, {
      server: 'http://127.0.0.1:7001', peerId: peerId(k), hostToken: 'ht', signingPublicKey: Buffer.from(signer.publicKey).toString('base64'),
      interface: ifname(k), listen: '127.0.0.1:7000', endpoint: `198.51.100.${k === 'a' ? 1 : 2}:51820`,
    });
    // The control plane as the agent's probe sees it: anything answering on its URL.
    spawn('ip', ['netns', 'exec', ns[k].name, 'node', '-e', "require('http').createServer((q,r)=>r.end()).listen(7001,'127.0.0.1')"], { stdio: 'ignore' }).on('error', () => {});
    await start(k);
  }
  for (const k of ['a', 'b'] as const) {
    const r = await inNs(k, '/push', snapshotOf(v1, k));
    expect(r.status, `${JSON.stringify(r.body)}\n${await logOf(k)}`).toBe(200);
  }
  await pingUntil(20_000);
}, 90_000);

afterAll(async () => {
  for (const n of Object.values(ns)) n.remove(); // stops the agents and wireguard-go inside
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function start(k: 'a' | 'b') {
  const log = openSync(join(tmp, `${k}.log`), 'a');
  const child = spawn('ip', ['netns', 'exec', ns[k].name, 'node', bundle, 'run', '--state-dir', join(tmp, k), '--dns-port', '53', '--dns-upstream', 'none'],
    { stdio: ['ignore', log, log], cwd: join(tmp, 'bin') });
  closeSync(log);
  child.on('error', () => {});
  agents[k] = child;
  for (let i = 0; i < 100 && (await inNs(k, '/healthz')).status === 0; i++) await sleep(200);
}

async function stop(k: 'a' | 'b') {
  const child = agents[k]!;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const logOf = (k: 'a' | 'b') => readFile(join(tmp, `${k}.log`), 'utf8');

// A request from inside the namespace, where the agent listens on loopback.
async function inNs(k: 'a' | 'b', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const code = `fetch('http://127.0.0.1:7000${path}',{method:process.env.B?'POST':'GET',body:process.env.B||undefined,signal:AbortSignal.timeout(10000)})
    .then(async r=>console.log(JSON.stringify({status:r.status,body:await r.json()}))).catch(e=>console.log(JSON.stringify({status:0,body:{e:String(e)}})))`;
  const { stdout } = await exec('ip', ['netns', 'exec', ns[k].name, 'node', '-e', code],
    { env: { ...process.env, B: body === undefined ? '' : JSON.stringify(body) }, timeout: 20_000, maxBuffer: 16 << 20 });
  return JSON.parse(stdout);
}

/** Pings B's private IP from A once a second until it answers; the time it took, or throws. */
async function pingUntil(limitMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    try {
      await exec('ip', ['netns', 'exec', ns.a.name, 'ping', '-c', '1', '-W', '1', '10.64.0.3'], { timeout: 5000 });
      return Date.now() - t0;
    } catch { /* not yet */ }
  }
  throw new Error(`10.64.0.3 did not answer within ${limitMs / 1000} s`);
}

/** Processes of one name inside a namespace. */
function pidsIn(k: keyof typeof ns, comm: string): number[] {
  return execFileSync('ip', ['netns', 'pids', ns[k].name], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number)
    .filter((pid) => { try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm; } catch { return false; } });
}

describe('the agent heals its host (root, wireguard-go, the bundled agent under plain node)', () => {
  it('wireguard-go killed under a running agent: the ping works again within 20 s, with no push', async () => {
    const pids = pidsIn('b', 'wireguard-go');
    expect(pids.length).toBe(1);
    process.kill(pids[0], 'SIGKILL');
    const took = await pingUntil(20_000);
    expect(took).toBeLessThan(20_000);
    expect(await logOf('b')).toMatch(/repaired: interface was missing/);
    const h = await inNs('b', '/healthz');
    expect(h).toMatchObject({ status: 200, body: { ok: true, appliedVersion: 1, lastRepair: { found: ['interface was missing'], ok: true } } });
  }, 40_000);

  it('`ip link del` of its interface: the same', async () => {
    await writeFile(join(tmp, 'b.log'), '');
    sh('b', 'ip', 'link', 'del', ifname('b'));
    const took = await pingUntil(20_000);
    expect(took).toBeLessThan(20_000);
    expect(await logOf('b')).toMatch(/repaired: interface was missing/);
    expect(sh('b', 'wg', 'show', ifname('b'), 'listen-port').trim()).toBe('51820');
  }, 40_000);

  it('the private IP answers only through WireGuard: an underlay neighbour gets no DNS answer and no ping', async () => {
    const name = 'ap-app000000001.pn-net000000001.mesh.internal';
    expect(sh('a', 'dig', '@10.64.0.3', '+short', '+time=2', '+tries=2', name).trim().split('\n').sort()).toEqual(['10.64.0.2', '10.64.0.3']);
    await expect(exec('ip', ['netns', 'exec', ns.n.name, 'dig', '@10.64.0.3', '+time=1', '+tries=2', name], { timeout: 10_000 }))
      .rejects.toMatchObject({ stdout: expect.stringMatching(/timed out|no servers could be reached/) });
    await expect(exec('ip', ['netns', 'exec', ns.n.name, 'dig', '@10.64.0.3', '+tcp', '+time=1', '+tries=1', name], { timeout: 10_000 })).rejects.toBeTruthy();
    await expect(exec('ip', ['netns', 'exec', ns.n.name, 'ping', '-c', '1', '-W', '1', '10.64.0.3'], { timeout: 5000 })).rejects.toBeTruthy();
    sh('n', 'ping', '-c', '1', '-W', '2', '198.51.100.2'); // the underlay itself works
  }, 40_000);

  it('applied.json truncated while the agent is stopped: it starts, names the file, and is current after one contact', async () => {
    await stop('b');
    const file = join(tmp, 'b', 'applied.json');
    await writeFile(file, (await readFile(file)).subarray(0, 40));
    await start('b');
    expect(await logOf('b')).toContain(`${file} is damaged (checksum mismatch): moved to applied.json.damaged-`);
    const h = await inNs('b', '/healthz');
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({ ok: false, appliedVersion: null, reason: expect.stringMatching(/applied\.json is damaged .*waiting for a full snapshot/) });
    // One contact as the worker makes it (lib/server/delivery/push-host.ts): the delta, refused with
    // need_snapshot, then the snapshot.
    const delta = await inNs('b', '/push', envelopeFor(signPayload(diffStates(v1, at(2)), signer.secretKey), peerId('b')));
    expect([delta.status, (delta.body.error as { code: string }).code, delta.body.appliedVersion]).toEqual([409, 'need_snapshot', null]);
    const snap = await inNs('b', '/push', snapshotOf(at(2), 'b'));
    expect([snap.status, snap.body.appliedVersion, (snap.body.health as { ok: boolean }).ok]).toEqual([200, 2, true]);
    expect((await inNs('b', '/healthz')).body).toMatchObject({ ok: true, appliedVersion: 2 });
  }, 60_000);

  it('100 concurrent 32 MiB bodies: memory stays within 50 MB of idle, and pushes still apply', async () => {
    const pid = agents.a!.pid!;
    const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
    await sleep(1000);
    const idle = rss();
    let peak = idle;
    const sampler = setInterval(() => { peak = Math.max(peak, rss()); }, 10);
    const script = join(tmp, 'flood.cjs');
    await writeFile(script, FLOOD);
    const { stdout } = await exec('ip', ['netns', 'exec', ns.a.name, 'node', script], { timeout: 60_000 });
    clearInterval(sampler);
    const statuses = JSON.parse(stdout) as Record<string, number>;
    console.log(`flood: ${JSON.stringify(statuses)}; agent RSS idle ${(idle / 1e6).toFixed(1)} MB, peak ${(peak / 1e6).toFixed(1)} MB`);
    expect(statuses['200'] ?? 0).toBe(0);
    // Every one refused, none left hanging: 503 unread beyond the 2 being read, 413 at the
    // limit (or at once for a Content-Length over it); a sender whose event loop is still busy
    // writing when its connection is closed (1 s after the answer) may see a reset instead.
    expect(statuses.timeout ?? 0).toBe(0);
    expect(statuses['503'] ?? 0).toBeGreaterThan(0);
    expect((statuses['503'] ?? 0) + (statuses['413'] ?? 0) + (statuses['400'] ?? 0) + (statuses.reset ?? 0)).toBe(100);
    expect(peak - idle).toBeLessThanOrEqual(50e6);
    expect((await inNs('a', '/push', snapshotOf(at(3), 'a'))).body).toMatchObject({ appliedVersion: 3 });
  }, 90_000);
});

// 100 connections at once, each announcing or streaming 32 MiB: 40 with Content-Length, 50
// chunked, 10 gzip bombs (32 MiB of zeros in ~32 KB); the same 1 MiB buffer is sent over and over.
const FLOOD = `
const net = require('net'); const zlib = require('zlib');
const MiB = 1 << 20, chunk = Buffer.alloc(MiB, 'x'), bomb = zlib.gzipSync(Buffer.alloc(32 * MiB));
const statuses = {};
function one(i) {
  return new Promise((resolve) => {
    const kind = i < 40 ? 'length' : i < 90 ? 'chunked' : 'gzip';
    const s = net.connect(7000, '127.0.0.1');
    let answer = '', sent = 0, done = false;
    const finish = (st) => { if (done) return; done = true; statuses[st] = (statuses[st] || 0) + 1; s.destroy(); resolve(); };
    s.setTimeout(30000, () => finish('timeout'));
    s.on('data', (d) => { answer += d; const m = /^HTTP\\/1\\.1 (\\d+)/.exec(answer); if (m) finish(m[1]); });
    s.on('error', () => finish('reset')); s.on('close', () => finish('closed'));
    s.on('connect', () => {
      const head = 'POST /push HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\n'
        + (kind === 'length' ? 'Content-Length: ' + 32 * MiB + '\\r\\n' : 'Transfer-Encoding: chunked\\r\\n')
        + (kind === 'gzip' ? 'Content-Encoding: gzip\\r\\n' : '') + '\\r\\n';
      s.write(head);
      const pump = () => {
        while (!done && sent < 32) {
          const body = kind === 'gzip' ? (sent === 0 ? bomb : null) : chunk;
          if (!body) { s.write('0\\r\\n\\r\\n'); return; }
          sent++;
          const ok = kind === 'length' ? s.write(body) : s.write(body.length.toString(16) + '\\r\\n') && s.write(body) && s.write('\\r\\n');
          if (!ok) return s.once('drain', pump);
        }
        if (!done && kind !== 'length') s.write('0\\r\\n\\r\\n');
      };
      pump();
    });
  });
}
Promise.all(Array.from({ length: 100 }, (_, i) => one(i))).then(() => console.log(JSON.stringify(statuses)));
`;
