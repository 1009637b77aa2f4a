import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNetns } from '../../agent/test-support';
import { createScratchDatabase } from '../scratch-database';
import { Plumbing, freePortOn, prepareAgentTest, startBuiltApp, waitFor, type BuiltApp, type MeshPeer, type Ns } from './mesh-support';

/*
 * ROOT. Issue 13's proof for hosts behind NAT. The BUILT app in the root namespace on a bridge
 * (the "internet", 198.18.10.0/24) holding 198.18.10.254; on it a gateway host with a reachable
 * endpoint (198.18.10.1) and two NAT routers (198.18.10.11, .12), each masquerading a private
 * LAN (198.18.11.0/24, 198.18.12.0/24) with one host behind it and dropping every connection
 * that does not start inside. Nothing routes to the LANs: neither the control plane nor the
 * gateway nor the other LAN can open anything to a NAT'd host. All three run the BUNDLED agent
 * (dist/agent/meshplane-agent.mjs, copied alone) with `join` and no --listen, so each gets its
 * config over the channel it opens; the NAT'd hosts join without --endpoint. They ping the
 * gateway and each other over WireGuard (each other through the gateway); then a change made
 * through the API reaches all three by itself: no WORKER_SECRET, no /api/worker, no button.
 * Everything is removed afterwards, even on failure.
 */

const underlay = { bridgeIp: '198.18.10.254', prefix: 24 };
const p = new Plumbing({ underlay, prefix: 'nt' });
type Host = 'g' | 'a' | 'b';
const ns = {} as Record<Host | 'ra' | 'rb', Ns>;
const lan = { a: { router: '198.18.11.1', host: '198.18.11.2', wan: '198.18.10.11' }, b: { router: '198.18.12.1', host: '198.18.12.2', wan: '198.18.10.12' } };
const gatewayIp = '198.18.10.1';
const zone = 'mesh.internal';
let app: BuiltApp;
let tmp = '';
let agentFile = '';


/** A router on the bridge masquerading a LAN with one host behind it; only connections from inside pass. */
function natRouter(k: 'a' | 'b') {
  const router = p.plug(`r${k}`, lan[k].wan);
  const host = createNetns(`nt-${k}`);
  p.onCleanup(() => host.remove());
  router.exec(['ip', 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.name]);
  router.exec(['ip', 'addr', 'add', `${lan[k].router}/24`, 'dev', 'lan0']);
  router.exec(['ip', 'link', 'set', 'lan0', 'up']);
  router.exec(['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
  router.exec(['nft', '-f', '-'], [
    'table ip nat {', '  chain post {', '    type nat hook postrouting priority srcnat;', '    oifname "eth0" masquerade', '  }', '}',
    'table inet filter {', '  chain forward {', '    type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept', '    iifname "lan0" oifname "eth0" accept', '  }', '}', '',
  ].join('\n'));
  for (const cmd of [['ip', 'link', 'set', 'lo', 'up'], ['ip', 'addr', 'add', `${lan[k].host}/24`, 'dev', 'eth0'], ['ip', 'link', 'set', 'eth0', 'up'],
    ['ip', 'route', 'add', 'default', 'via', lan[k].router]]) host.exec(cmd);
  ns[`r${k}`] = router;
  ns[k] = host;
}

beforeAll(async () => {
  const prepared = await prepareAgentTest(p, 'nat-e2e-');
  const dist = prepared.dist;
  ({ tmp, agentFile } = prepared);

  const admin = new URL(inject('testDatabaseUrl'));
  admin.pathname = '/postgres';
  const database = await createScratchDatabase(admin.toString(), 'meshplane_nat_', 5);
  p.onCleanup(() => database.drop());

  p.makeBridge();
  ns.g = p.plug('gw', gatewayIp);
  natRouter('a');
  natRouter('b');

  const port = await freePortOn(underlay.bridgeIp, 3600, 3649);
  const base = `http://${underlay.bridgeIp}:${port}`;
  // No WORKER_SECRET: /api/worker cannot even be called; delivery must happen by itself.
  app = await startBuiltApp(p, {
    databaseUrl: database.url, dataDir: path.join(tmp, 'data'), dist, host: underlay.bridgeIp, port, email: 'nat@example.test',
    env: { MESHPLANE_PUBLIC_URL: base, MESHPLANE_METRICS_TOKEN: metricsToken },
  });
}, 240_000);

afterAll(() => p.cleanup(), 90_000);

const metricsToken = 'nat-e2e-metrics-token-0123456789';
const api: BuiltApp['api'] = (method, url, body) => app.api(method, url, body);
type Peer = MeshPeer & { isGateway: boolean; endpoint: string | null; online: boolean };
type Joined = { ip: string; peerId: string; iface: string };

/** `node meshplane-agent.mjs join …` in the host's namespace, no --listen (the channel only); --endpoint only where given. */
async function join(k: Host, key: string, endpoint?: string): Promise<Joined> {
  const iface = `nt${p.tag}${k}`;
  const agent = p.spawn('ip', ['netns', 'exec', ns[k].name, process.execPath, agentFile, 'join', '--server', app.base, '--key', key,
    ...(endpoint ? ['--endpoint', endpoint] : []), '--interface', iface, '--state-dir', path.join(tmp, `state-${k}`), '--dns-port', '53'],
  { cwd: path.dirname(agentFile), env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' as const } });
  const m = await waitFor(`agent ${k} to join`, async () => {
    if (agent.exitCode !== null || agent.signalCode !== null) throw new Error(`agent ${k} exited: ${agent.output()}`);
    return /joined as web (\d+) \(([\d.]+), (\S+)\)/.exec(agent.output());
  }, 30_000);
  const joined = { ip: m[2], peerId: m[3], iface };
  await waitFor(`agent ${k} online over its channel`, async () => {
    if (agent.exitCode !== null) throw new Error(`agent ${k} exited: ${agent.output()}`);
    return (await api<Peer>('GET', `/peers/${joined.peerId}`)).online;
  }, 30_000);
  return joined;
}

const sh = (k: keyof typeof ns, ...cmd: string[]) => ns[k].exec(cmd);
const pings = (from: Host, to: string) => waitFor(`${from} to ping ${to} over WireGuard`, async () => {
  try { return sh(from, 'ping', '-n', '-c', '1', '-W', '2', to).includes(`from ${to}`); } catch { return false; }
}, 20_000, 500);
const dig = (k: Host, resolver: string, name: string) => sh(k, 'dig', `@${resolver}`, '-p', '53', '+short', '+time=2', '+tries=2', name).trim().split('\n').filter(Boolean);

describe('hosts behind NAT', () => {
  it('two NAT\'d hosts and a gateway join, get their configs over their channels, ping each other over WireGuard, and follow a change by themselves', async () => {
    // The LANs are unreachable from outside and from each other (the routers drop it, nothing routes there).
    expect(() => sh('g', 'ping', '-n', '-c', '1', '-W', '1', lan.a.host)).toThrow();
    expect(() => sh('a', 'ping', '-n', '-c', '1', '-W', '1', lan.b.host)).toThrow();
    // (the control plane's namespace has no route into them over the bridge either)
    for (const k of ['a', 'b'] as const) expect(execFileSync('ip', ['route', 'get', lan[k].host], { encoding: 'utf8' })).not.toContain(p.bridge);

    const project = await api<{ id: string }>('POST', '/projects', { name: 'nat' });
    const network = await api<{ id: string }>('POST', `/projects/${project.id}/networks`, { label: 'nat' });
    const member = await api<{ id: string }>('POST', `/networks/${network.id}/members`, { kind: 'application', label: 'web', processes: { web: 1 } });
    const { key } = await api<{ key: string }>('POST', `/members/${member.id}/join-keys`, { autoscale: true, maxInstances: 5 });

    const h = { g: await join('g', key, `${gatewayIp}:51820`), a: await join('a', key), b: await join('b', key) };
    const peers = await app.converged(network.id, 30_000) as Peer[];
    const byId = (id: string) => peers.find((x) => x.id === id)!;
    expect(byId(h.g.peerId)).toMatchObject({ isGateway: true, endpoint: `${gatewayIp}:51820` });
    expect([byId(h.a.peerId).endpoint, byId(h.b.peerId).endpoint]).toEqual([null, null]);
    // All three came over the WebSocket stream, through the NAT routers (none fell back to the long-poll).
    const metrics = await (await fetch(`${app.base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
    expect(metrics).toMatch(/^meshplane_agent_channels_open\{transport="stream"\} 3$/m);
    expect(metrics).not.toMatch(/^meshplane_agent_channels_open\{transport="poll"\} [1-9]/m);

    // The gateway admits the NAT routers' addresses, as the control plane saw the channels come in.
    const allowed = sh('g', 'nft', 'list', 'set', 'inet', 'meshplane', 'allowed');
    expect(allowed).toContain(lan.a.wan);
    expect(allowed).toContain(lan.b.wan);
    // A NAT'd host lists one peer, the gateway, with a keepalive and the other NAT'd host's /32; the gateway none.
    const gKey = byId(h.g.peerId).publicKey!;
    expect(sh('a', 'wg', 'show', h.a.iface, 'persistent-keepalive').trim()).toBe(`${gKey}\t25`);
    expect(sh('a', 'wg', 'show', h.a.iface, 'allowed-ips')).toContain(`${h.b.ip}/32`);
    expect(sh('g', 'wg', 'show', h.g.iface, 'persistent-keepalive').trim().split('\n').map((l) => l.split('\t')[1])).toEqual(['off', 'off']);

    await pings('a', h.g.ip);
    await pings('b', h.g.ip);
    await pings('a', h.b.ip); // through the gateway
    await pings('b', h.a.ip);
    // The gateway learnt where they are from their handshakes: the routers' addresses.
    const endpoints = sh('g', 'wg', 'show', h.g.iface, 'endpoints');
    expect(endpoints).toContain(`${lan.a.wan}:`);
    expect(endpoints).toContain(`${lan.b.wan}:`);

    // A change through the API reaches all three by itself: a new member's name resolves on each.
    const db = await api<{ id: string; peers: { ip: string }[] }>('POST', `/networks/${network.id}/members`, { kind: 'external', label: 'db', instances: 1 });
    const changed = Date.now();
    await app.converged(network.id, 10_000);
    console.log(`the change was applied by all three hosts ${Date.now() - changed} ms after the API call returned`);
    for (const k of ['g', 'a', 'b'] as const) expect(dig(k, h[k].ip, `1.${db.id}.${network.id}.${zone}`)).toEqual([db.peers[0].ip]);
  }, 240_000);
});
