import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { requireRoot, requireTools, requireTun } from '../../agent/test-support';
import { generateKeyPair } from '../../lib/core/wireguard/keys';
import { configFileName, renderClientConfig } from '../../lib/core/wireguard/client-config';
import { createScratchDatabase } from '../scratch-database';
import { Plumbing, freePortOn, requireBuild, startBuiltApp, underlay, waitFor, type BuiltApp, type MeshPeer, type Ns } from './mesh-support';

/*
 * ROOT. The whole product, for real: the BUILT app on a fresh PostgreSQL database, two
 * agents enrolled through the API in network namespaces, a device in a third, all joined by
 * veth pairs to a bridge in the root namespace that holds 198.51.100.254 (the app listens
 * there). No WORKER_SECRET, no cron, no button: every change reaches the hosts by itself
 * (NOTIFY wakes delivery); host b is enrolled with no --listen and gets everything over the
 * channel it opens. Tunnel addresses are only ever used from
 * inside the namespaces; everything is removed afterwards, even on failure.
 */

const run = promisify(execFile);
const p = new Plumbing();
const ns = {} as Record<'a' | 'b' | 'c', Ns>;
const ips = { a: '198.51.100.1', b: '198.51.100.2', c: '198.51.100.9' };
const cwd = process.cwd();
const agentCli = [process.execPath, '--import', 'tsx', path.join(cwd, 'agent/cli.ts')];
let base = '';
let app: BuiltApp;
let tmp = '';


beforeAll(async () => {
  requireRoot();
  requireTools(['ip', 'wg', 'wg-quick', 'wireguard-go', 'nft', 'ping', 'dig']);
  requireTun();
  const dist = requireBuild();
  tmp = await mkdtemp(path.join(tmpdir(), 'mp-mesh-'));
  p.onCleanup(() => rm(tmp, { recursive: true, force: true }));

  // A fresh database on the test server.
  const admin = new URL(inject('testDatabaseUrl'));
  admin.pathname = '/postgres';
  const database = await createScratchDatabase(admin.toString(), 'meshplane_mesh_', 5);
  p.onCleanup(() => database.drop());

  p.makeBridge();
  for (const k of ['a', 'b', 'c'] as const) ns[k] = p.plug(k, ips[k]);

  app = await startBuiltApp(p, {
    databaseUrl: database.url, dataDir: path.join(tmp, 'data'), dist, host: underlay.bridgeIp, port: await freePortOn(underlay.bridgeIp, 3400, 3499), email: 'mesh@example.test',
  });
  base = app.base;
}, 240_000);

afterAll(() => p.cleanup(), 90_000);

const api: BuiltApp['api'] = (method, url, body) => app.api(method, url, body);
const converged: BuiltApp['converged'] = (networkId, withinMs) => app.converged(networkId, withinMs);
type Peer = MeshPeer;

/** `listen`: also takes direct pushes; without it the host is reached only over its channel. */
async function enrolAgent(k: 'a' | 'b', peerId: string, listen: boolean) {
  const { token } = await api<{ token: string }>('POST', `/peers/${peerId}/enrollment-token`);
  const dir = path.join(tmp, `agent-${k}`);
  await run('ip', ['netns', 'exec', ns[k].name, ...agentCli, 'enroll', '--server', base, '--token', token,
    '--endpoint', `${ips[k]}:51820`, ...(listen ? ['--listen', `${ips[k]}:51821`] : []), '--interface', `mp${p.tag}${k}`, '--state-dir', dir], { timeout: 60_000 });
  const agent = p.spawn('ip', ['netns', 'exec', ns[k].name, ...agentCli, 'run', '--state-dir', dir, '--dns-port', '53'], { cwd });
  await waitFor(`agent ${k} connected`, async () => {
    if (agent.exitCode !== null) throw new Error(`agent ${k} exited: ${agent.output()}`);
    if (listen) return (await fetch(`http://${ips[k]}:51821/healthz`, { signal: AbortSignal.timeout(3_000) })).ok;
    return (await api<Peer & { online: boolean }>('GET', `/peers/${peerId}`)).online;
  });
}

const sh = (k: keyof typeof ns, ...cmd: string[]) => ns[k].exec(cmd);

describe('a network built through the API is a working mesh', () => {
  it('enrols two hosts, pings, resolves, routes a device through the gateway, opens a lease, and follows a scale-down', async () => {
    const project = await api<{ id: string }>('POST', '/projects', { name: 'mesh' });
    const network = await api<{ id: string; cidr: string }>('POST', `/projects/${project.id}/networks`, { label: 'mesh' });
    const app = await api<{ id: string; peers: Peer[] }>('POST', `/networks/${network.id}/members`, { kind: 'application', label: 'web', processes: { web: 2 } });
    const [one, two] = [...app.peers].sort((x, y) => x.number - y.number);
    await enrolAgent('a', one.id, true);
    await enrolAgent('b', two.id, false); // no --listen: nothing can connect to it
    await api('PATCH', `/peers/${one.id}`, { gateway: true });
    await api('POST', `/networks/${network.id}/firewall/leases`, { ip: ips.c }); // the device's underlay address
    const device = generateKeyPair();
    const config = await api<{ addresses: string[]; peers: { publicKey: string; endpoint: string; allowedIps: string[] }[] }>('POST', '/devices', { name: 'laptop', publicKey: device.publicKey });
    await converged(network.id);

    // Host to host over the tunnel.
    sh('a', 'ping', '-c', '2', '-W', '3', two.ip);

    // Names through the agent's DNS, asked from the other host.
    const zone = 'mesh.internal';
    const dig = (name: string, from: keyof typeof ns = 'b') => sh(from, 'dig', `@${one.ip}`, '-p', '53', '+short', '+time=2', '+tries=2', name).trim().split('\n').filter(Boolean).sort();
    expect(dig(`1.web.${app.id}.${network.id}.${zone}`)).toEqual([one.ip]);
    expect(dig(`${app.id}.${network.id}.${zone}`)).toEqual([one.ip, two.ip].sort());

    // The lease is an element of the host's nft set, with its timeout.
    expect(sh('a', 'nft', 'list', 'set', 'inet', 'meshplane', 'leases')).toMatch(new RegExp(`${ips.c.replace(/\./g, '\\.')} timeout`));

    // The device: one peer (the gateway, the whole CIDR), and it reaches the other host through it.
    expect(config.peers).toEqual([{ publicKey: expect.any(String), endpoint: `${ips.a}:51820`, allowedIps: [network.cidr] }]);
    // Loaded as a user would: the rendered file, under its download name, with wg-quick (its
    // /32 address adds no route: the route to the network comes from AllowedIPs).
    const conf = path.join(tmp, configFileName(`${p.tag}c laptop`));
    await writeFile(conf, renderClientConfig({ privateKey: device.privateKey, addresses: config.addresses, dns: [], peers: config.peers }), { mode: 0o600 });
    sh('c', 'env', 'WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go', 'wg-quick', 'up', conf);
    sh('c', 'ping', '-c', '2', '-W', '3', two.ip);

    // Scale down: host 2's peer leaves host 1's WireGuard after the next round.
    const twoKey = (await api<Peer>('GET', `/peers/${two.id}`)).publicKey!;
    expect(sh('a', 'wg', 'show', `mp${p.tag}a`, 'peers')).toContain(twoKey);
    const scaled = Date.now();
    await api('PUT', `/members/${app.id}/processes`, { web: 1 });
    await converged(network.id, 5_000);
    console.log(`scale-down applied by the remaining host ${Date.now() - scaled} ms after the API call returned`);
    expect(sh('a', 'wg', 'show', `mp${p.tag}a`, 'peers')).not.toContain(twoKey);
    // (asked from the device: host 2 is no longer anyone's peer, so it cannot ask host 1)
    expect(dig(`${app.id}.${network.id}.${zone}`, 'c')).toEqual([one.ip]);
  }, 240_000);
});
