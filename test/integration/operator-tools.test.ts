/**
 * Operators' tools against the built app on PostgreSQL, as two server processes: the
 * meshplane CLI downloaded from GET /cli/meshplane.mjs and run as a process from a directory
 * with no node_modules (every command, human and --json output), the OpenAPI document
 * (real answers parse with its schemas) and /metrics (parsed, summed over both processes,
 * moving when a host applies).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import * as answers from '../../lib/server/openapi/answers';
import { getSigningKey } from '../../lib/server/delivery/signing-key';
import { createApiToken } from '../../lib/server/tokens/api-tokens';
import { generateKeyPair, publicKeyFromPrivate } from '../../lib/core/wireguard/keys';
import { requireTools } from '../tools/require-tools';
import { parseWgConfig } from '../tools/wg-config';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';
import { requireBuild, stop, waitFor } from './mesh-support';
import { enrol } from './push-helpers';
import { serverEntry } from './server-process';
import { StubFleet } from './stub-agents';

const root = process.cwd();
const metricsToken = 'metrics-token-for-the-test-0123';
const t = useTestDb();
const work = mkdtempSync(path.join(tmpdir(), 'meshplane-cli-'));
const home = path.join(work, 'home');
const cliFile = path.join(work, 'meshplane.mjs');
const servers: ChildProcess[] = [];
let fleet: StubFleet | undefined;
let base = '';
let token = '';
let owner: Awaited<ReturnType<typeof makeUser>>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function startServer(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  let log = '';
  const child = spawn(process.execPath, [serverEntry], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL: inject('testDatabaseUrl'), ...env },
  });
  servers.push(child);
  child.stdout!.on('data', (d) => { log += d; });
  child.stderr!.on('data', (d) => { log += d; });
  await waitFor('the server to listen', async () => {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${log}`);
    return log.includes('Meshplane is listening');
  }, 90_000, 100);
  return `http://127.0.0.1:${port}`;
}

type Run = { code: number; stdout: string; stderr: string };
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const childEnv = { PATH: process.env.PATH ?? '', HOME: home, ...env } as unknown as NodeJS.ProcessEnv;
    execFile(process.execPath, [cliFile, ...args], { cwd: work, env: childEnv, timeout: 30_000, encoding: 'utf8' },
      (error: Error | null, stdout: string, stderr: string) => resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }));
  });
}
/** A command that must succeed; --json output parsed. */
async function ok(args: string[]): Promise<string> {
  const r = await cli(args);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}
const json = async <T = Record<string, unknown>>(args: string[]) => JSON.parse(await ok([...args, '--json'])) as T;
/** A refusal: exit 1 and one line, no stack trace. */
async function refused(args: string[], message: RegExp, env: Record<string, string> = {}) {
  const r = await cli(args, env);
  expect(r.code, args.join(' ')).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

async function api<T = Record<string, unknown>>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v1${p}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.ok, `${method} ${p}: ${res.status}`).toBe(true);
  return res.json() as Promise<T>;
}

async function metrics(): Promise<MetricFamily[]> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  // parse-prometheus-text-format drops the labels of labelled histograms; read their
  // _count/_sum series again as plain samples, with the histogram TYPE lines taken out.
  return [...parsePrometheusTextFormat(text), ...parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram\n/gm, ''))];
}
function value(families: MetricFamily[], name: string, labels: Record<string, string>): number | undefined {
  const sample = families.filter((f) => f.name === name).flatMap((f) => f.metrics).find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample === undefined ? undefined : Number(sample.value);
}

beforeAll(async () => {
  requireBuild();
  requireTools(['wg-quick']);
  if (!existsSync(path.join(root, 'dist/cli/meshplane.mjs'))) throw new Error('no CLI bundle in dist/cli/: run `npm run build` first');
  // Nothing delivers by itself here (no LISTEN, no timer): the test's `push` is what delivers.
  base = await startServer({ MESHPLANE_PROCESSES: '2', MESHPLANE_METRICS_TOKEN: metricsToken, MESHPLANE_LISTEN: '0', MESHPLANE_WORKER_TIMER: '0' });
  owner = await makeUser(t.db);
  token = (await createApiToken(t.db, owner.id, 'cli test')).token;
  const res = await fetch(`${base}/cli/meshplane.mjs`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/javascript/);
  writeFileSync(cliFile, Buffer.from(await res.arrayBuffer()));
  fleet = await new StubFleet((await getSigningKey(t.db)).publicKeyBase64).start();
}, 150_000);

afterAll(async () => {
  await fleet?.stop();
  for (const s of servers) await stop(s);
  rmSync(work, { recursive: true, force: true });
});

describe('the meshplane CLI, as a process against the built app', () => {
  it('says what is wrong in one line: exit 2 for usage, 1 for refusals', async () => {
    const none = await cli(['projects']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('meshplane: No server and token configured: run `meshplane login --server URL --token T` (or set MESHPLANE_SERVER and MESHPLANE_TOKEN).\n');
    await refused(['login', '--server', base, '--token', 'mp_wrong'], /^meshplane: Send a valid API token.*meshplane login/);
    expect(existsSync(path.join(home, '.config/meshplane/config.json')), 'a refused login stores nothing').toBe(false);
    const usage = await cli(['scale', 'ap-3hd8s0a2m1c9', 'web=x'], { MESHPLANE_SERVER: base, MESHPLANE_TOKEN: token });
    expect([usage.code, usage.stderr]).toEqual([2, 'meshplane: "web=x" is not NAME=COUNT (e.g. web=2): the count must be a whole number.\n']);
  });

  it('logs in: the config file is mode 600, and the environment overrides it', async () => {
    expect(await ok(['login', '--server', base, '--token', token])).toMatch(/^Logged in to http:\/\/127\.0\.0\.1:\d+ \(0 projects visible\)/);
    const file = path.join(home, '.config/meshplane/config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ server: base, token });
    await refused(['projects'], /Send a valid API token/, { MESHPLANE_TOKEN: 'mp_overridden' });
    await refused(['projects'], /Cannot reach http:\/\/127\.0\.0\.1:3249: ECONNREFUSED/, { MESHPLANE_SERVER: 'http://127.0.0.1:3249' });
  });

  it('runs every command, for people and with --json, and prints what the API answers', async () => {
    const project = await api<{ id: string }>('POST', '/projects', { name: 'Operators' });
    expect(await ok(['projects'])).toMatch(new RegExp(`^ID\\s+NAME\\s+ROLE\\n${project.id}\\s+Operators\\s+owner\\n$`));
    expect(await json<unknown[]>(['projects'])).toEqual([expect.objectContaining({ id: project.id, role: 'owner' })]);

    // A CIDR of our choosing, away from the pool the tests allocate from (10.0.0.0/8) and from
    // 172.16/16 and 172.30/16, where other files choose fixed CIDRs.
    const octet = 17 + Math.floor(Math.random() * 13);
    const cidr = `172.${octet}.0.0/16`;
    const prod = await json(['network', 'create', '--project', project.id, '--label', 'prod', '--cidr', cidr]);
    expect(prod).toMatchObject({ label: 'prod', cidr, projectId: project.id });
    expect(await ok(['network', 'create', '--project', project.id, '--label', 'staging'])).toMatch(/^Created pn-[a-z0-9]{12} \(staging\) with 10\.\d+\.0\.0\/16\.\n$/);
    await refused(['network', 'create', '--project', project.id, '--label', 'prod'], /^meshplane: label: A network labelled "prod" already exists/);
    const networks = await ok(['networks']);
    expect(networks.split('\n')[0]).toMatch(/^ID\s+LABEL\s+CIDR\s+VERSION\s+PROJECT$/);
    expect(networks).toMatch(new RegExp(`${prod.id}\\s+prod\\s+172\\.${octet}\\.0\\.0/16\\s+1\\s+${project.id}`));
    expect((await json<{ label: string }[]>(['networks', '--project', project.id])).map((n) => n.label).sort()).toEqual(['prod', 'staging']);
    const pn = String(prod.id);

    const app = await json<{ id: string; peers: unknown[] }>(['member', 'add', '--network', pn, '--kind', 'application', '--label', 'api', '--process', 'web=2', '--process', 'worker=1']);
    expect(app.peers).toHaveLength(3);
    const addedDb = await ok(['member', 'add', '--network', pn, '--kind', 'addon', '--label', 'db', '--instances', '1']);
    expect(addedDb).toMatch(/^Added addon ad-[a-z0-9]{12} \(db\) with 1 peer\.\n/);
    const db = { id: /ad-[a-z0-9]{12}/.exec(addedDb)![0] };
    const members = await ok(['members', '--network', pn]);
    expect(members).toMatch(new RegExp(`${app.id}\\s+application\\s+api\\s+web=2 worker=1`));
    expect(members).toMatch(/ad-[a-z0-9]{12}\s+addon\s+db\s+instances=1/);
    expect((await json<unknown[]>(['members', '--network', pn]))).toHaveLength(2);

    expect(await json(['scale', app.id, 'web=3'])).toMatchObject({ processes: { web: 3, worker: 1 } });
    expect(await ok(['scale', app.id, 'worker=2'])).toBe(`${app.id}: web=3 worker=2.\n`);
    await refused(['scale', app.id, 'instances=2'], /^meshplane: /);

    const peers = await json<{ id: string; ip: string; names: string[] }[]>(['peers', '--network', pn]);
    const apiPeers = await api<{ items: { id: string }[] }>('GET', `/networks/${pn}/peers`);
    expect(peers.map((p) => p.id)).toEqual(apiPeers.items.map((p) => p.id));
    expect(peers).toHaveLength(6);
    const peersText = await ok(['peers', '--network', pn]);
    for (const p of peers) expect(peersText).toMatch(new RegExp(`${p.id}\\s+\\S+\\s+\\S+\\s+${p.ip.replace(/\./g, '\\.')}\\s+${p.names[0]}\\s+not enrolled`));

    const names = await json<{ name: string; addresses: string[] }[]>(['domain-names', app.id]);
    expect(names).toEqual((await api<{ items: unknown[] }>('GET', `/members/${app.id}/domain-names`)).items);
    expect(names.map((n) => n.name)).toContain(`worker.${app.id}.${pn}.mesh.internal`);
    const namesText = await ok(['domain-names', app.id]);
    const escape = (s: string) => s.replace(/\./g, '\\.');
    for (const n of names) expect(namesText).toMatch(new RegExp(`^${escape(n.name)}\\s+${escape(n.addresses.join(', '))}$`, 'm'));
    await refused(['domain-names', 'ap-aaaaaaaaaaaa'], /^meshplane: Member not found\.\n$/);

    const lease = await json<{ id: string; ip: string; expiresAt: string }>(['lease', '--network', pn]);
    expect(lease.ip).toBe('127.0.0.1');
    expect(await ok(['leases'])).toMatch(new RegExp(`${lease.id}\\s+${pn}\\s+127\\.0\\.0\\.1\\s+\\S+ \\(in 23h 59m\\)\\s+${owner.email}`));
    expect(await json<unknown[]>(['leases', '--network', pn])).toEqual([expect.objectContaining({ id: lease.id, ip: '127.0.0.1' })]);

    // A host enrols (as the agent would); `push` delivers to it, and it applies.
    const host = peers[0];
    await enrol(t.db, principalOf(owner), host.id, fleet!.add(host.id));
    const before = await metrics();
    expect(value(before, 'meshplane_hosts', { network: pn, state: 'behind' })).toBe(1);
    expect(value(before, 'meshplane_hosts', { network: pn, state: 'applied' })).toBe(0);
    expect(value(before, 'meshplane_oldest_unapplied_change_seconds', { network: pn })).toBeGreaterThan(0);
    const pushed = await json(['push', '--network', pn]);
    expect(pushed).toMatchObject({ claimed: 1, applied: 1, failed: 0 });
    expect(fleet!.get(host.id).applied).toEqual([pushed.configVersion]);
    expect(await ok(['push', '--network', pn])).toBe(`Version ${pushed.configVersion}: 0 claimed, 0 applied, 0 failed.\n`);
    expect(await ok(['peers', '--network', pn])).toMatch(new RegExp(`${host.id}.*applied v${pushed.configVersion}`));
    const after = await metrics();
    expect(value(after, 'meshplane_hosts', { network: pn, state: 'applied' })).toBe(1);
    expect(value(after, 'meshplane_hosts', { network: pn, state: 'behind' })).toBe(0);
    expect(value(after, 'meshplane_oldest_unapplied_change_seconds', { network: pn })).toBe(0);
    expect(value(after, 'meshplane_push_duration_seconds_count', { outcome: 'applied' })).toBeGreaterThanOrEqual(1);
    expect(value(after, 'meshplane_leases_active', { network: pn })).toBe(1);

    // A device: the key pair made by the CLI, the config loaded by wg-quick.
    const device = await json<{ id: string; publicKey: string; file: string; peers: { publicKey: string }[] }>(['device', 'add', '--name', 'laptop']);
    expect(device).not.toHaveProperty('privateKey');
    expect(device.file).toBe('mp-laptop.conf');
    const conf = path.join(work, device.file);
    expect(statSync(conf).mode & 0o777).toBe(0o600);
    const stripped = await new Promise<Run>((resolve) => execFile('wg-quick', ['strip', conf], (e, stdout, stderr) => resolve({ code: e ? 1 : 0, stdout, stderr })));
    expect(stripped.code, stripped.stderr).toBe(0);
    const loaded = parseWgConfig(stripped.stdout);
    expect(publicKeyFromPrivate(loaded.interface.PrivateKey)).toBe(device.publicKey);
    expect(loaded.peers.map((p) => p.PublicKey)).toEqual(device.peers.map((p) => p.publicKey));
    expect(loaded.peers).toHaveLength(1); // the one enrolled host
    expect(readFileSync(conf, 'utf8')).toMatch(/^DNS = /m);
    const phone = await ok(['device', 'add', '--name', 'phone', '--qr', '--out', 'phone.conf']);
    // An address in prod and one in staging, in either order.
    expect(phone).toMatch(/^Added device dv-[a-z0-9]{12} \(phone\): \d+\.\d+\.255\.\d+\/32, \d+\.\d+\.255\.\d+\/32\.\nWrote phone\.conf/);
    expect(phone.split('\n')[0]).toContain(` 172.${octet}.255.`);
    expect(phone).toMatch(/[▀▄█]{7}/); // the QR code, drawn with half blocks

    // A join key: shown once, with the commands that use it; a host joins with what was printed.
    const made = await ok(['join-key', 'create', app.id, '--process', 'worker', '--autoscale', '--max-instances', '5', '--max-uses', '3']);
    const [, keyId, key] = /^Created join key (jk-[a-z0-9]{12}) for ap-[a-z0-9]{12} \(process worker, autoscale up to 5, 3 uses; expires \S+\)\.\nKey \(shown once, only its hash is kept\): (mpk_[A-Za-z0-9_-]{43})\n/.exec(made) ?? [];
    expect(key, made).toBeDefined();
    expect(made).toContain(`curl -fsSL ${base}/agent/install.sh | sudo sh -s -- --key ${key} --process worker\n`);
    expect(made).toContain(`meshplane-agent join --server ${base} --key ${key} --process worker\n`);
    const joined = await fetch(`${base}/api/agent/join`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key, process: 'worker', publicKey: publicKeyFromPrivate(generateKeyPair().privateKey) }),
    });
    expect(joined.status, await joined.clone().text()).toBe(200);
    const keys = await api<{ items: { id: string; uses: number }[] }>('GET', `/members/${app.id}/join-keys`);
    expect(keys.items).toEqual([expect.objectContaining({ id: keyId, uses: 1 })]);
    const addonKey = await json<{ id: string; key: string; ephemeral: boolean; expiresAt: string; autoscale: boolean }>(['join-key', 'create', String(db.id), '--ephemeral', '--expires-in-hours', '2']);
    expect(addonKey).toMatchObject({ ephemeral: true, autoscale: false, key: expect.stringMatching(/^mpk_/) });
    expect(Date.parse(addonKey.expiresAt) - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);
    await refused(['join-key', 'create', app.id, '--process', 'cron'], /^meshplane: process: This member has no process "cron"/);
  }, 180_000);

  it('has --help on every command', async () => {
    const overview = await ok(['--help']);
    for (const name of ['login', 'projects', 'networks', 'network create', 'members', 'member add', 'scale', 'peers', 'domain-names', 'lease', 'leases', 'join-key create', 'device add', 'push']) {
      expect(overview).toContain(`  ${name} `);
      expect(await ok([...name.split(' '), '--help'])).toContain(`Usage: meshplane ${name}`);
    }
  }, 60_000);
});

describe('the OpenAPI document, served', () => {
  it('is served at /api/v1/openapi.json, and real answers parse with its schemas', async () => {
    const res = await fetch(`${base}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/networks/{networkId}/peers');

    const [project] = (await api<{ items: { id: string }[] }>('GET', '/projects')).items;
    const check = <S extends z.ZodType>(schema: S, body: unknown) => {
      const r = schema.safeParse(body);
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    };
    check(answers.list(answers.projectWithRole), await api('GET', '/projects'));
    check(answers.project, await api('GET', `/projects/${project.id}`));
    check(answers.list(answers.teamMember), await api('GET', `/projects/${project.id}/team`));
    const networks = await api<{ items: { id: string }[] }>('GET', `/projects/${project.id}/networks`);
    check(answers.list(answers.networkSummary), networks);
    const pn = networks.items.find((n) => (n as unknown as { label: string }).label === 'prod')!.id;
    check(answers.network, await api('GET', `/networks/${pn}`));
    const members = await api<{ items: { id: string }[] }>('GET', `/networks/${pn}/members`);
    check(answers.list(answers.member), members);
    check(answers.memberWithPeers, await api('GET', `/members/${members.items[0].id}`));
    check(answers.list(answers.domainName), await api('GET', `/members/${members.items[0].id}/domain-names`));
    const peers = await api<{ items: { id: string }[] }>('GET', `/networks/${pn}/peers`);
    check(answers.peerPage, peers);
    check(answers.peer, await api('GET', `/peers/${peers.items[0].id}`));
    check(answers.firewall, await api('GET', `/networks/${pn}/firewall`));
    check(answers.pushRound, await api('POST', `/networks/${pn}/push`));
    check(answers.rule, await api('POST', `/networks/${pn}/firewall/rules`, { cidr: '203.0.113.0/24' }));
    check(answers.enrollmentToken, await api('POST', `/peers/${peers.items[1].id}/enrollment-token`));
    check(answers.devices, await api('GET', '/devices'));
    const devices = await api<{ items: { id: string }[] }>('GET', '/devices');
    check(answers.currentDeviceConfig, await api('GET', `/devices/${devices.items[0].id}/config`));
  });
});

describe('/metrics', () => {
  it('is behind its bearer token, and a wrong one learns nothing', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: `Basic ${metricsToken}` }] as Record<string, string>[]) {
      const res = await fetch(`${base}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toMatch(/meshplane_|pn-/);
    }
  });

  it('sums the two processes: every API request is counted once, whichever process served it', async () => {
    const route = '/api/v1/members/[memberId]/domain-names';
    const count = async () => value(await metrics(), 'meshplane_api_request_duration_seconds_count', { route, method: 'GET', status: '404' }) ?? 0;
    const start = await count();
    for (let i = 0; i < 8; i++) await fetch(`${base}/api/v1/members/ap-bbbbbbbbbbbb/domain-names`, { headers: { authorization: `Bearer ${token}` } });
    expect(await count()).toBe(start + 8);
    const families = await metrics();
    expect(value(families, 'meshplane_db_pool_max_connections', {})).toBe(40); // 2 processes × 20
    expect(value(families, 'meshplane_db_connections', { state: 'idle' })).toBeGreaterThan(0);
  });

  it('is off (404) when MESHPLANE_METRICS_TOKEN is not set', async () => {
    const plain = await startServer({ MESHPLANE_PROCESSES: '1', MESHPLANE_METRICS_TOKEN: '' });
    const res = await fetch(`${plain}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toMatch(/meshplane_/);
  }, 120_000);
});
