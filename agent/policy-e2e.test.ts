import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../lib/core/policy/document';
import { resolveSelector, type TaggedHost } from '../lib/core/policy/resolve';
import { parseSelector } from '../lib/core/policy/schemas';
import type { HostEntry, NetworkState } from '../lib/core/protocol/network-state';
import { generateSigningKey, signPayload } from '../lib/core/protocol/signing';
import { envelopeFor } from '../lib/core/protocol/testing';
import { generateKeyPair } from '../lib/core/wireguard/keys';
import { createNetns, requireRoot, requireTools, requireTun } from './test-support';

/*
 * ROOT, real tools, the agent CLI as shipped: the access policy proven with real TCP over
 * real wireguard-go tunnels. Two agents (A, the gateway, and B) and a device (C) in namespaces
 * of their own; the test signs documents whose policy is resolved from selectors by the same
 * pure function the control plane uses, pushes them, and connects with node:net from inside
 * the namespaces. Underlay: a bridge inside namespace A; nothing touches the root namespace.
 */

const exec = promisify(execFile);
const signer = generateSigningKey();
const tag = randomBytes(2).toString('hex'); // interface names are machine-wide for wireguard-go
const ns = { a: lazyNetns('a'), b: lazyNetns('b'), c: lazyNetns('c') };
const cli = ['node', '--import', 'tsx', join(process.cwd(), 'agent/cli.ts')];
const ports = [5432, 5433, 6000, 8080];
let tmp = '';
let stub: http.Server;
const enrolled = new Map<string, { publicKey: string }>();

function lazyNetns(name: string) {
  let n: ReturnType<typeof createNetns> | null = null;
  return { get: () => (n ??= createNetns(`mpw17-p${name}`)), remove: () => n?.remove() };
}
const sh = (k: keyof typeof ns, ...cmd: string[]) => ns[k].get().exec(cmd);

beforeAll(async () => {
  requireRoot();
  requireTools(['ip', 'wg', 'wireguard-go', 'nft']);
  requireTun();
  tmp = await mkdtemp(join(tmpdir(), 'mp-policy-'));
  stub = http.createServer((req, res) => { // the control plane's enrol route, as agents see it
    let body = '';
    req.on('data', (c) => (body += c)).on('end', () => {
      const r = JSON.parse(body) as { token: string; publicKey: string };
      enrolled.set(r.token, r);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        peerId: `pe-${r.token}0000000000`.slice(0, 15), hostToken: 'ht', signingPublicKey: Buffer.from(signer.publicKey).toString('base64'),
      }));
    });
  });
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
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
  // A TCP listener on every test port in A and B (answers "ok" and closes).
  for (const k of ['a', 'b'] as const) {
    const l = spawn('ip', ['netns', 'exec', ns[k].get().name, 'node', '-e',
      `const net=require('node:net');for(const p of ${JSON.stringify(ports)})net.createServer((s)=>s.end('ok')).listen(p,'0.0.0.0')`], { stdio: 'ignore' });
    l.on('error', () => {});
  }
}, 30_000);

afterAll(async () => {
  for (const n of Object.values(ns)) n.remove(); // stops the agents, listeners and wireguard-go inside
  stub?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function enrollAndRun(k: 'a' | 'b', endpoint: string) {
  const dir = join(tmp, k);
  await exec(cli[0], [...cli.slice(1), 'enroll', '--server', `http://127.0.0.1:${(stub.address() as AddressInfo).port}`,
    '--token', `tok${k}`, '--endpoint', endpoint, '--listen', '127.0.0.1:7000', '--interface', `mq${tag}${k}`, '--state-dir', dir], { timeout: 30_000 });
  const agent = spawn('ip', ['netns', 'exec', ns[k].get().name, ...cli, 'run', '--state-dir', dir, '--dns-port', '53'], { stdio: 'ignore' });
  agent.on('error', () => {});
  return { peerId: `pe-tok${k}000000000`.slice(0, 15), publicKey: enrolled.get(`tok${k}`)!.publicKey };
}

async function inNs(k: 'a' | 'b', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const code = `fetch('http://127.0.0.1:7000${path}',{method:process.env.B?'POST':'GET',body:process.env.B||undefined,signal:AbortSignal.timeout(10000)})
    .then(async r=>console.log(JSON.stringify({status:r.status,body:await r.json()}))).catch(e=>console.log(JSON.stringify({status:0,body:{e:String(e)}})))`;
  const { stdout } = await exec('ip', ['netns', 'exec', ns[k].get().name, 'node', '-e', code],
    { env: { ...process.env, B: body === undefined ? '' : JSON.stringify(body) }, timeout: 20_000, maxBuffer: 16 << 20 });
  return JSON.parse(stdout);
}

/** A real TCP connection from inside namespace k: "open" when it got the listener's answer. */
async function connect(k: 'a' | 'b' | 'c', ip: string, port: number): Promise<'open' | 'closed'> {
  const code = `const s=require('node:net').connect(${port},'${ip}');let d='';s.setTimeout(1500,()=>{console.log('closed');process.exit(0)});
    s.on('data',(x)=>d+=x).on('end',()=>{console.log(d==='ok'?'open':'closed');process.exit(0)}).on('error',()=>{console.log('closed');process.exit(0)})`;
  const { stdout } = await exec('ip', ['netns', 'exec', ns[k].get().name, 'node', '-e', code], { timeout: 10_000 });
  return stdout.trim() as 'open' | 'closed';
}

const memberA = 'ap-aaaaaaaaaaaa';
const memberB = 'ad-bbbbbbbbbbbb';
const host = (peerId: string, memberId: string, n: number, publicKey: string, endpoint: string, gateway = false): HostEntry => ({
  peerId, memberId, kind: memberId.startsWith('ap') ? 'application' : 'addon', process: memberId.startsWith('ap') ? 'web' : 'instance', number: 1,
  ip: `10.64.0.${n + 1}`, publicKey, endpoint, gateway, names: [`${memberId}.pn-pol000000001.mesh.internal`],
});
type Rule = { id: string; from: string; to: string; protocol: 'tcp' | 'udp' | 'icmp' | 'any'; ports: string };
/** The policy as the control plane would put it in the document (lib/server/policy/rules.ts documentPolicy). */
function policyOf(mode: Policy['mode'], rules: Rule[], hosts: TaggedHost[], deviceBlock: string): Policy {
  const resolve = (s: string) => resolveSelector(parseSelector(s)!, hosts, deviceBlock);
  return { mode, rules: rules.map((r) => ({ ...r, from: resolve(r.from), to: resolve(r.to) })) };
}

describe('the access policy on real hosts', () => {
  it('isolated: only what a rule allows, stateful, tags resolved late, devices through the gateway; open restores all', async () => {
    const a = await enrollAndRun('a', '198.51.100.1:51820');
    const b = await enrollAndRun('b', '198.51.100.2:51820');
    for (const k of ['a', 'b'] as const) for (let i = 0; i < 100 && (await inNs(k, '/healthz')).status === 0; i++) await new Promise((r) => setTimeout(r, 200));
    const device = generateKeyPair();
    const hosts = [host(a.peerId, memberA, 1, a.publicKey, '198.51.100.1:51820', true), host(b.peerId, memberB, 2, b.publicKey, '198.51.100.2:51820')];
    const [ipA, ipB] = ['10.64.0.2', '10.64.0.3'];
    const base: NetworkState = {
      networkId: 'pn-pol000000001', version: 0, cidr: '10.64.0.0/16', listenPort: 51820, zone: 'mesh.internal', deviceBlock: '10.64.240.0/20',
      hosts, devices: [{ id: 'dv-dev000000001', publicKey: device.publicKey, ip: '10.64.255.254', name: 'phone.ann.dev.pn-pol000000001.mesh.internal' }],
      allow: { rules: ['198.51.100.0/24'], leases: [] },
    };
    let version = 0;
    const push = async (mode: Policy['mode'], rules: Rule[], tags: Record<string, string[]> = {}) => {
      version++;
      const tagged = hosts.map((h) => ({ memberId: h.memberId, process: h.process, ip: h.ip, tags: tags[h.memberId] ?? [] }));
      const state = { ...base, version, policy: policyOf(mode, rules, tagged, base.deviceBlock) };
      const signed = signPayload({ type: 'snapshot', networkId: state.networkId, version, state }, signer.secretKey);
      for (const [k, id] of [['a', a.peerId], ['b', b.peerId]] as const) {
        const r = await inNs(k, '/push', envelopeFor(signed, id));
        expect(r.status, JSON.stringify(r.body)).toBe(200);
      }
    };

    // Open: today's behaviour.
    await push('open', []);
    expect(await connect('a', ipB, 5432)).toBe('open');
    expect(await connect('b', ipA, 5432)).toBe('open');

    // The device, through the gateway A.
    const cif = `mq${tag}c`;
    sh('c', 'wireguard-go', cif);
    await writeFile(join(tmp, 'device.key'), device.privateKey, { mode: 0o600 });
    sh('c', 'wg', 'set', cif, 'private-key', join(tmp, 'device.key'), 'peer', a.publicKey, 'endpoint', '198.51.100.1:51820', 'allowed-ips', '10.64.0.0/16');
    sh('c', 'ip', 'addr', 'add', '10.64.255.254/16', 'dev', cif);
    sh('c', 'ip', 'link', 'set', cif, 'up');
    expect(await connect('c', ipB, 8080)).toBe('open');

    // Isolated, no rule: nothing between members, but a host still reaches itself.
    await push('isolated', []);
    expect(await connect('a', ipB, 5432)).toBe('closed');
    expect(await connect('b', ipB, 5432)).toBe('open');

    // A → B tcp 5432: that, and only that.
    const pg: Rule = { id: 'pr-pg000000001', from: memberA, to: memberB, protocol: 'tcp', ports: '5432' };
    await push('isolated', [pg]);
    expect(await connect('a', ipB, 5432)).toBe('open');
    expect(await connect('b', ipA, 5432)).toBe('closed');
    expect(await connect('a', ipB, 5433)).toBe('closed');
    expect(sh('b', 'nft', 'list', 'chain', 'inet', 'meshplane', 'policy_in')).toContain('comment "pr-pg000000001"');

    // tag:db: no member has it, then A gets it (the document's resolution changes, the rule does not).
    const cacheRule: Rule = { id: 'pr-tag00000001', from: memberB, to: 'tag:db', protocol: 'tcp', ports: '6000' };
    await push('isolated', [pg, cacheRule]);
    expect(await connect('b', ipA, 6000)).toBe('closed');
    await push('isolated', [pg, cacheRule], { [memberA]: ['db'] });
    expect(await connect('b', ipA, 6000)).toBe('open');
    expect(await connect('b', ipA, 5432)).toBe('closed');

    // devices → B tcp 8080: the device through the gateway obeys it.
    const devRule: Rule = { id: 'pr-dev00000001', from: 'devices', to: memberB, protocol: 'tcp', ports: '8080' };
    await push('isolated', [pg, cacheRule, devRule], { [memberA]: ['db'] });
    expect(await connect('c', ipB, 8080)).toBe('open');
    expect(await connect('c', ipB, 5432)).toBe('closed');
    expect(sh('a', 'nft', 'list', 'chain', 'inet', 'meshplane', 'policy_fwd')).toContain('comment "pr-dev00000001"');

    // Back to open: everything again.
    await push('open', [pg, cacheRule, devRule]);
    for (const [k, ip, port] of [['b', ipA, 5432], ['a', ipB, 5433], ['c', ipB, 5432], ['b', ipA, 6000]] as const) {
      expect(await connect(k, ip, port), `${k} → ${ip}:${port}`).toBe('open');
    }
    expect(sh('b', 'nft', 'list', 'table', 'inet', 'meshplane')).not.toContain('policy_in');
  }, 180_000);
});
