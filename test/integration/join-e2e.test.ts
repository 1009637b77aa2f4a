import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createScratchDatabase } from '../scratch-database';
import { Plumbing, freePortOn, prepareAgentTest, startBuiltApp, waitFor, type BuiltApp, type MeshPeer, type Ns } from './mesh-support';

/*
 * ROOT. Issue 14's proof: hosts join with ONE autoscale join key, no token made by hand.
 * The BUILT app on a fresh database; the agent is the BUNDLED file (dist/agent/
 * meshplane-agent.mjs) copied alone into a temporary directory (no node_modules anywhere
 * near it) and run with plain `node` in network namespaces on a bridge of our own
 * underlay, 198.18.14.0/24 (so it runs beside mesh-e2e, which holds 198.51.100.0/24).
 * Three hosts join with one autoscale key and ping each other by DNS name through the
 * agents' resolvers; the highest one runs `meshplane-agent leave` and its name stops
 * resolving for the others; a fourth joins with an ephemeral key, is killed (SIGKILL), and
 * the control plane releases it after the grace (MESHPLANE_EPHEMERAL_GRACE_MINUTES=0.01,
 * floored at the 40 s online window), its name going too. Everything is removed afterwards.
 */

const run = promisify(execFile);
const underlay = { bridgeIp: '198.18.14.254', prefix: 24 };
const p = new Plumbing({ underlay, prefix: 'mpj' });
type Host = 'a' | 'b' | 'c' | 'e';
const ns = {} as Record<Host, Ns>;
const ips: Record<Host, string> = { a: '198.18.14.1', b: '198.18.14.2', c: '198.18.14.3', e: '198.18.14.4' };
const workerSecret = randomBytes(24).toString('hex');
const zone = 'mesh.internal';
let base = '';
let app: BuiltApp;
let tmp = '';
let agentFile = '';


beforeAll(async () => {
  const prepared = await prepareAgentTest(p, 'mpj-join-');
  const dist = prepared.dist;
  ({ tmp, agentFile } = prepared);
  for (let dir = path.dirname(agentFile); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules'))) throw new Error(`${dir}/node_modules exists: the bundled agent must run with none above it`);
  }

  const admin = new URL(inject('testDatabaseUrl'));
  admin.pathname = '/postgres';
  const database = await createScratchDatabase(admin.toString(), 'meshplane_join_', 5);
  p.onCleanup(() => database.drop());

  p.makeBridge();
  for (const k of Object.keys(ips) as Host[]) {
    ns[k] = p.plug(k, ips[k]);
    const etc = `/etc/netns/${ns[k].name}`; // `ip netns exec` binds its resolv.conf over /etc/resolv.conf
    p.onCleanup(() => rm(etc, { recursive: true, force: true }));
  }

  const port = await freePortOn(underlay.bridgeIp, 3340, 3359);
  base = `http://${underlay.bridgeIp}:${port}`;
  app = await startBuiltApp(p, {
    databaseUrl: database.url, dataDir: path.join(tmp, 'data'), dist, host: underlay.bridgeIp, port, email: 'join@example.test',
    env: { MESHPLANE_PUBLIC_URL: base, MESHPLANE_AGENT_URL_ALLOW: `198.18.14.0/${underlay.prefix}`, WORKER_SECRET: workerSecret, MESHPLANE_EPHEMERAL_GRACE_MINUTES: '0.01' },
  });
}, 240_000);

afterAll(() => p.cleanup(), 90_000);

const api: BuiltApp['api'] = (method, url, body) => app.api(method, url, body);
const converged: BuiltApp['converged'] = (networkId, withinMs) => app.converged(networkId, withinMs);
type Peer = MeshPeer;

type Joined = { agent: ReturnType<Plumbing['spawn']>; dir: string; instance: number; ip: string; peerId: string };

/** `node meshplane-agent.mjs join …` in the host's namespace: claims an instance with the key, then runs. */
async function join(k: Host, key: string): Promise<Joined> {
  const dir = path.join(tmp, `state-${k}`);
  const agent = p.spawn('ip', ['netns', 'exec', ns[k].name, process.execPath, agentFile, 'join', '--server', base, '--key', key,
    '--endpoint', `${ips[k]}:51820`, '--interface', `mpj${p.tag}${k}`, '--state-dir', dir, '--dns-port', '53'],
  { cwd: path.dirname(agentFile), env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' as const } });
  const m = await waitFor(`agent ${k} to join`, async () => {
    if (agent.exitCode !== null || agent.signalCode !== null) throw new Error(`agent ${k} exited: ${agent.output()}`);
    return /joined as web (\d+) \(([\d.]+), (\S+)\)/.exec(agent.output());
  }, 30_000);
  const joined = { agent, dir, instance: Number(m[1]), ip: m[2], peerId: m[3] };
  await waitFor(`agent ${k} online`, async () => {
    if (agent.exitCode !== null) throw new Error(`agent ${k} exited: ${agent.output()}`);
    return (await api<{ online: boolean }>('GET', `/peers/${joined.peerId}`)).online;
  }, 30_000);
  // The host's resolver is its own agent (on its tunnel address), as a user would point it.
  await mkdir(`/etc/netns/${ns[k].name}`, { recursive: true });
  await writeFile(`/etc/netns/${ns[k].name}/resolv.conf`, `nameserver ${joined.ip}\noptions timeout:2 attempts:2\n`);
  return joined;
}

const sh = (k: Host, ...cmd: string[]) => ns[k].exec(cmd);
/** The A records of `name` from host k's own agent. */
const dig = (k: Host, resolver: string, name: string) => sh(k, 'dig', `@${resolver}`, '-p', '53', '+short', '+time=2', '+tries=2', name).trim().split('\n').filter(Boolean).sort();

async function worker() {
  const res = await fetch(`${base}/api/worker`, { method: 'POST', headers: { authorization: `Bearer ${workerSecret}` }, signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`POST /api/worker answered ${res.status}: ${await res.text()}`);
  return await res.json() as { ephemeralReleased: number };
}

describe('hosts join with one key, and come and go', () => {
  it('three bundled agents join with one autoscale key and ping by name; one leaves; an ephemeral one killed is released', async () => {
    const started = Date.now();
    const project = await api<{ id: string }>('POST', '/projects', { name: 'join' });
    const network = await api<{ id: string }>('POST', `/projects/${project.id}/networks`, { label: 'join' });
    const app = await api<{ id: string }>('POST', `/networks/${network.id}/members`, { kind: 'application', label: 'web', processes: { web: 1 } });
    const { key } = await api<{ key: string }>('POST', `/members/${app.id}/join-keys`, { autoscale: true, maxInstances: 5 });
    const name = (n: number) => `${n}.web.${app.id}.${network.id}.${zone}`;

    // One key, three hosts: instance 1 exists, 2 and 3 are made by autoscaling.
    const h = { a: await join('a', key), b: await join('b', key), c: await join('c', key) };
    expect([h.a.instance, h.b.instance, h.c.instance]).toEqual([1, 2, 3]);
    expect(new Set([h.a.ip, h.b.ip, h.c.ip]).size).toBe(3);
    await converged(network.id);

    // Everyone pings everyone by name, resolved by its own agent, over WireGuard.
    for (const from of ['a', 'b', 'c'] as const) {
      for (const to of ['a', 'b', 'c'] as const) {
        if (from === to) continue;
        expect(dig(from, h[from].ip, name(h[to].instance))).toEqual([h[to].ip]);
        await waitFor(`${from} to ping ${name(h[to].instance)}`, async () => {
          const out = sh(from, 'ping', '-n', '-c', '1', '-W', '2', name(h[to].instance));
          return out.includes(`from ${h[to].ip}`) ? out : null;
        }, 15_000, 500);
      }
    }
    expect(dig('a', h.a.ip, `${app.id}.${network.id}.${zone}`)).toEqual([h.a.ip, h.b.ip, h.c.ip].sort());

    // c leaves: its instance goes (autoscale: web back to 2), its name stops resolving for a and b.
    const left = await run('ip', ['netns', 'exec', ns.c.name, process.execPath, agentFile, 'leave', '--state-dir', h.c.dir], { cwd: path.dirname(agentFile), timeout: 30_000 });
    expect(left.stdout).toContain(`left: ${h.c.peerId} released`);
    h.c.agent.kill('SIGTERM');
    await converged(network.id);
    for (const from of ['a', 'b'] as const) {
      await waitFor(`${name(h.c.instance)} to stop resolving on ${from}`, async () => dig(from, h[from].ip, name(h.c.instance)).length === 0, 10_000, 500);
      expect(dig(from, h[from].ip, `${app.id}.${network.id}.${zone}`)).toEqual([h.a.ip, h.b.ip].sort());
    }
    expect((await api<{ items: Peer[] }>('GET', `/networks/${network.id}/peers`)).items.map((x) => x.id)).not.toContain(h.c.peerId);

    // An ephemeral key: the host joins (instance 3 again, by autoscaling), is reachable by name, then dies.
    const ephemeral = await api<{ key: string }>('POST', `/members/${app.id}/join-keys`, { ephemeral: true, autoscale: true });
    const e = await join('e', ephemeral.key);
    await converged(network.id);
    expect(dig('a', h.a.ip, name(e.instance))).toEqual([e.ip]);
    await waitFor(`a to ping ${name(e.instance)}`, async () => sh('a', 'ping', '-n', '-c', '1', '-W', '2', name(e.instance)).includes(`from ${e.ip}`), 15_000, 500);
    e.agent.kill('SIGKILL');
    const killed = Date.now();
    // Nobody leaves for it: the control plane releases it once offline past the grace (floored
    // at the 40 s online window). The worker is driven here rather than waiting for its timer.
    await waitFor('the control plane to release the killed ephemeral instance', async () => {
      await worker();
      const { items } = await api<{ items: Peer[] }>('GET', `/networks/${network.id}/peers`);
      return !items.some((x) => x.id === e.peerId);
    }, 90_000, 2_000);
    console.log(`ephemeral instance released ${Math.round((Date.now() - killed) / 1000)} s after SIGKILL`);
    await converged(network.id);
    await waitFor(`${name(e.instance)} to stop resolving on a`, async () => dig('a', h.a.ip, name(e.instance)).length === 0, 10_000, 500);
    expect(dig('b', h.b.ip, `${app.id}.${network.id}.${zone}`)).toEqual([h.a.ip, h.b.ip].sort());
    console.log(`join e2e: ${Math.round((Date.now() - started) / 1000)} s`);
  }, 240_000);
});
