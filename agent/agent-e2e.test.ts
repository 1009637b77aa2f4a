import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffStates } from '../lib/core/protocol/diff';
import type { HostEntry, NetworkState } from '../lib/core/protocol/network-state';
import { generateSigningKey, signPayload } from '../lib/core/protocol/signing';
import { envelopeFor } from '../lib/core/protocol/testing';
import { generateKeyPair } from '../lib/core/wireguard/keys';
import { createNetns, requireRoot, requireTools, requireTun } from './test-support';

/*
 * ROOT, real tools, the CLI as shipped: two agents enrolled against a stub control plane,
 * each `run` in its own namespace; the test signs documents and pushes them from inside the
 * namespaces (the agents listen on their namespace's loopback), then pings through the
 * tunnel, resolves through the agent's DNS, and reaches a host from a device via the gateway.
 * Underlay: a bridge inside namespace A (198.51.100.0/24); nothing touches the root namespace.
 */

const exec = promisify(execFile);
const signer = generateSigningKey();
const tag = randomBytes(2).toString('hex'); // interface names are machine-wide for wireguard-go
const ns = { a: createNetnsLazy('a'), b: createNetnsLazy('b'), c: createNetnsLazy('c') };
const cli = ['node', '--import', 'tsx', join(process.cwd(), 'agent/cli.ts')];
let tmp = '';
let stub: http.Server;
const enrolled = new Map<string, { publicKey: string; endpoint: string; agentUrl: string }>();

function createNetnsLazy(name: string) {
  let n: ReturnType<typeof createNetns> | null = null;
  return { get: () => (n ??= createNetns(`mpt-${name}`)), remove: () => n?.remove() };
}
const sh = (k: keyof typeof ns, ...cmd: string[]) => ns[k].get().exec(cmd);

beforeAll(async () => {
  requireRoot();
  requireTools(['ip', 'wg', 'wireguard-go', 'nft', 'ping', 'dig']);
  requireTun();
  tmp = await mkdtemp(join(tmpdir(), 'mp-e2e-'));
  stub = http.createServer((req, res) => { // the control plane's enrol route, as agents see it
    let body = '';
    req.on('data', (c) => (body += c)).on('end', () => {
      const r = JSON.parse(body) as { token: string; publicKey: string; endpoint: string; agentUrl: string };
      enrolled.set(r.token, r);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        peerId: `pe-${r.token}0000000000`.slice(0, 15), hostToken: 'ht', signingPublicKey: Buffer.from(signer.publicKey).toString('base64'),
      }));
    });
  });
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
  // Underlay: bridge in A; B and C (the device) plug into it.
  sh('a', 'ip', 'link', 'add', 'br0', 'type', 'bridge');
  sh('a', 'ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'br0');
  sh('a', 'ip', 'link', 'set', 'br0', 'up');
  for (const [k, ip] of [['b', '198.51.100.2'], ['c', '198.51.100.9']] as const) {
    sh('a', 'ip', 'link', 'add', `v${k}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns[k].get().name);
    sh('a', 'ip', 'link', 'set', `v${k}`, 'master', 'br0', 'up');
    sh(k, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
    sh(k, 'ip', 'link', 'set', 'eth0', 'up');
  }
  for (const k of ['a', 'b', 'c'] as const) sh(k, 'ip', 'link', 'set', 'lo', 'up');
}, 30_000);

afterAll(async () => {
  for (const n of Object.values(ns)) n.remove(); // stops the agents and wireguard-go inside
  stub?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function enrollAndRun(k: 'a' | 'b', endpoint: string) {
  const dir = join(tmp, k);
  await exec(cli[0], [...cli.slice(1), 'enroll', '--server', `http://127.0.0.1:${(stub.address() as AddressInfo).port}`,
    '--token', `tok${k}`, '--endpoint', endpoint, '--listen', '127.0.0.1:7000', '--interface', `mp${tag}${k}`, '--state-dir', dir], { timeout: 30_000 });
  const agent = spawn('ip', ['netns', 'exec', ns[k].get().name, ...cli, 'run', '--state-dir', dir, '--dns-port', '53'], { stdio: 'ignore' });
  agent.on('error', () => {});
  return { dir, peerId: `pe-tok${k}000000000`.slice(0, 15), publicKey: enrolled.get(`tok${k}`)!.publicKey };
}

// A fetch from inside the namespace, where the agent listens on loopback.
async function inNs(k: 'a' | 'b', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const code = `fetch('http://127.0.0.1:7000${path}',{method:process.env.B?'POST':'GET',body:process.env.B||undefined,signal:AbortSignal.timeout(10000)})
    .then(async r=>console.log(JSON.stringify({status:r.status,body:await r.json()}))).catch(e=>console.log(JSON.stringify({status:0,body:{e:String(e)}})))`;
  const { stdout } = await exec('ip', ['netns', 'exec', ns[k].get().name, 'node', '-e', code],
    { env: { ...process.env, B: body === undefined ? '' : JSON.stringify(body) }, timeout: 20_000, maxBuffer: 16 << 20 });
  return JSON.parse(stdout);
}

const host = (peerId: string, n: number, publicKey: string | null, endpoint: string | null, gateway = false): HostEntry => ({
  peerId, memberId: 'ap-app000000001', kind: 'application', process: 'web', number: n, ip: `10.64.0.${n + 1}`,
  publicKey, endpoint, gateway, names: [`${n}.web.ap-app000000001.pn-net000000001.mesh.internal`, 'ap-app000000001.pn-net000000001.mesh.internal'],
});

describe('two agents, a device, real WireGuard', () => {
  it('enrols, applies pushes, pings over the tunnel, resolves names, routes a device through the gateway', async () => {
    const a = await enrollAndRun('a', '198.51.100.1:51820');
    const b = await enrollAndRun('b', '198.51.100.2:51820');
    expect((await stat(join(a.dir, 'private.key'))).mode & 0o777).toBe(0o600);
    // Up: any answer (503 too: the stub control plane is out of the namespaces' reach, and the
    // agents' health says so).
    for (let i = 0; i < 100 && (await inNs('a', '/healthz')).status === 0; i++) await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 100 && (await inNs('b', '/healthz')).status === 0; i++) await new Promise((r) => setTimeout(r, 200));
    expect((await inNs('a', '/healthz')).body).toMatchObject({ ok: false, reason: expect.stringMatching(/^cannot reach the control plane at http:\/\/127\.0\.0\.1:\d+: /) });

    const device = generateKeyPair();
    const v1: NetworkState = {
      networkId: 'pn-net000000001', version: 1, cidr: '10.64.0.0/16', listenPort: 51820, zone: 'mesh.internal',
      deviceBlock: '10.64.240.0/20',
      hosts: [host(a.peerId, 1, a.publicKey, '198.51.100.1:51820', true), host(b.peerId, 2, b.publicKey, '198.51.100.2:51820')],
      devices: [{ id: 'dv-dev000000001', publicKey: device.publicKey, ip: '10.64.255.254', name: 'phone.ann.dev.pn-net000000001.mesh.internal' }],
      allow: { rules: [], leases: [{ ip: '198.51.100.9', expiresAt: new Date(Date.now() + 86_400_000).toISOString() }] },
    };
    const signed = signPayload({ type: 'snapshot', networkId: v1.networkId, version: 1, state: v1 }, signer.secretKey);
    for (const [k, id] of [['a', a.peerId], ['b', b.peerId]] as const) {
      const r = await inNs(k, '/push', envelopeFor(signed, id));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    expect((await inNs('a', '/push', envelopeFor(signed, a.peerId))).body).toMatchObject({ error: { code: 'stale' }, appliedVersion: 1 });
    expect((await inNs('a', '/push', envelopeFor(signed, b.peerId))).status).toBe(421);

    sh('a', 'ping', '-c', '2', '-W', '3', '10.64.0.3');
    const dig = (name: string) => sh('b', 'dig', '@10.64.0.2', '+short', '+time=2', '+tries=2', name).trim().split('\n').sort();
    expect(dig('ap-app000000001.pn-net000000001.mesh.internal')).toEqual(['10.64.0.2', '10.64.0.3']);
    expect(dig('2.web.ap-app000000001.pn-net000000001.mesh.internal')).toEqual(['10.64.0.3']);
    expect(await readFile(join(b.dir, 'meshplane.env'), 'utf8')).toContain('MESHPLANE_PRIVATE_HOSTNAME=2.web.ap-app000000001.pn-net000000001.mesh.internal');
    expect(sh('a', 'nft', 'list', 'set', 'inet', 'meshplane', 'leases')).toMatch(/198\.51\.100\.9 timeout 1d expires/);

    // The device (namespace C): one peer, the gateway, with the whole CIDR; it reaches B.
    const cif = `mp${tag}c`;
    sh('c', 'wireguard-go', cif);
    await writeFile(join(tmp, 'device.key'), device.privateKey, { mode: 0o600 });
    sh('c', 'wg', 'set', cif, 'private-key', join(tmp, 'device.key'), 'peer', a.publicKey, 'endpoint', '198.51.100.1:51820', 'allowed-ips', '10.64.0.0/16');
    sh('c', 'ip', 'addr', 'add', '10.64.255.254/16', 'dev', cif);
    sh('c', 'ip', 'link', 'set', cif, 'up');
    sh('c', 'ping', '-c', '2', '-W', '3', '10.64.0.3');

    // A delta adds a host, the next removes it: its peer comes and goes in `wg show`.
    const extra = generateKeyPair().publicKey;
    const v2 = { ...v1, version: 2, hosts: [...v1.hosts, host('pe-extra0000001', 3, extra, '198.51.100.3:51820')] };
    const v3 = { ...v1, version: 3 };
    for (const [from, to] of [[v1, v2], [v2, v3]]) {
      const d = signPayload(diffStates(from, to), signer.secretKey);
      expect((await inNs('a', '/push', envelopeFor(d, a.peerId))).status).toBe(200);
      expect(sh('a', 'wg', 'show', `mp${tag}a`, 'peers').includes(extra)).toBe(to === v2);
    }
    sh('c', 'ping', '-c', '1', '-W', '3', '10.64.0.3'); // still routed after deltas on the gateway
  }, 120_000);
});
