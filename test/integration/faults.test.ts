import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRoot, requireTools, requireTun } from '../../agent/test-support';
import { unseal } from '../../agent/state';
import { Plumbing, requireBuild, startBuiltApp, waitFor, type BuiltApp, type Ns } from './mesh-support';
import { startPrivateCluster, type PrivateCluster } from './private-pg';

/*
 * ROOT. Issue 13's faults, for real: the BUILT app on a PostgreSQL cluster of the test's own
 * (private-pg.ts, so it can be stopped), two real agents (`meshplane-agent run`, channel only,
 * no --listen) in network namespaces applying with wireguard-go and nft, no WORKER_SECRET and
 * no safety-net timer: every delivery is woken by NOTIFY. Three faults, one after the other:
 *   1. the app SIGKILLed right after a burst of changes, started again on the same database;
 *   2. the database stopped (fast) right after a burst, the API 503 meanwhile, started again;
 *      then a change must still wake delivery (LISTEN re-made) within ~2 s;
 *   3. an agent SIGKILLed while it applies (seen by its running `wg`/`ip`/`nft` children),
 *      several times, restarted on the same state dir.
 * After each: every host at the latest version within seconds of the fault ending; every
 * version each agent applied (its log, across restarts) strictly increasing, none twice;
 * the state file always valid; the applied document and the live nft set hold every change.
 */

const run = promisify(execFile);
const p = new Plumbing({ underlay: { bridgeIp: '198.18.20.254', prefix: 24 }, prefix: 'ft' });
const ips = { a: '198.18.20.1', b: '198.18.20.2' } as const;
type Host = keyof typeof ips;
const ns = {} as Record<Host, Ns>;
const cwd = process.cwd();
const agentCli = [process.execPath, '--import', 'tsx', path.join(cwd, 'agent/cli.ts')];
let app: BuiltApp;
let cluster: PrivateCluster | undefined;
let tmp = '';
let networkId = '';
const rules: string[] = []; // every rule the API accepted, in order

/** One agent across its restarts: each run's log is kept whole, to read every version it applied. */
class Agent {
  runs: { child: ChildProcess; log: string }[] = [];
  constructor(readonly host: Host, readonly dir: string) {}
  start() {
    const child = spawn('ip', ['netns', 'exec', ns[this.host].name, ...agentCli, 'run', '--state-dir', this.dir, '--dns-port', '53', '--dns-upstream', 'none'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const r = { child, log: '' };
    child.stdout!.on('data', (c) => { r.log += c; });
    child.stderr!.on('data', (c) => { r.log += c; });
    this.runs.push(r);
    p.onCleanup(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((res) => child.once('exit', res));
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
      await gone;
    });
  }
  get child() { return this.runs.at(-1)!.child; }
  async kill() {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL'); // `ip netns exec` execs the agent: this pid is the agent itself
    await gone;
  }
  /** Every `applied version N` and `restored version N`, in order, over all runs. */
  events(): { kind: 'applied' | 'restored'; version: number }[] {
    return this.runs.flatMap((r) => [...r.log.matchAll(/(applied|restored) version (\d+)/g)]
      .map((m) => ({ kind: m[1] as 'applied' | 'restored', version: Number(m[2]) })));
  }
  /** applied.json as the agent would read it: throws if torn or damaged. */
  applied(): { version: number; state: { version: number; allow: { rules: string[] } } } {
    return unseal(readFileSync(path.join(this.dir, 'applied.json'), 'utf8')) as never;
  }
}
const agents = {} as Record<Host, Agent>;

/** No version applied twice, none older than one already applied or restored. */
function expectMonotonic(agent: Agent) {
  let last = 0;
  for (const e of agent.events()) {
    if (e.kind === 'applied') expect(e.version, `${agent.host} applied ${e.version} after ${last}: ${JSON.stringify(agent.events())}`).toBeGreaterThan(last);
    else expect(e.version, `${agent.host} restored ${e.version} after ${last}`).toBeGreaterThanOrEqual(last);
    last = e.version;
  }
}

/** The network's version straight from the database (the app is down). */
async function versionFromDb(): Promise<number> {
  const sql = postgres(cluster!.url, { max: 1, onnotice: () => {} });
  try {
    return Number((await sql<{ v: string }[]>`select config_version as v from networks where id = ${networkId}`)[0].v);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const version = async () => (await app.api<{ configVersion: number }>('GET', `/networks/${networkId}`)).configVersion;

let nextRule = 0;
async function addRule(): Promise<string> {
  const cidr = `203.0.113.${4 * (nextRule++ % 60) + 2}/32`; // not adjacent: nft keeps them apart
  await app.api('POST', `/networks/${networkId}/firewall/rules`, { cidr });
  rules.push(cidr);
  return cidr;
}

/** Everything converged, and each agent's document, state file and live nft set hold every rule. */
async function expectComplete(label: string, since: number, withinMs: number) {
  await app.converged(networkId, withinMs);
  const v = await version();
  for (const h of ['a', 'b'] as const) {
    await waitFor(`agent ${h} to persist version ${v}`, async () => agents[h].applied().version === v, 5_000, 50);
    const saved = agents[h].applied();
    expect(saved.state.version).toBe(v);
    expect([...saved.state.allow.rules].sort()).toEqual(expect.arrayContaining(rules));
    const set = ns[h].exec(['nft', 'list', 'set', 'inet', 'meshplane', 'allowed']);
    for (const r of rules) expect(set, `${h}'s nft set misses ${r}`).toMatch(new RegExp(`[\\s{,]${r.replace('/32', '').replace(/\./g, '\\.')}[\\s,}]`));
    expectMonotonic(agents[h]);
  }
  const ms = Date.now() - since;
  console.log(`${label}: every host at version ${v} ${ms} ms after the fault ended`);
  return ms;
}

async function enrol(h: Host, peerId: string) {
  const { token } = await app.api<{ token: string }>('POST', `/peers/${peerId}/enrollment-token`);
  const dir = path.join(tmp, `agent-${h}`);
  await run('ip', ['netns', 'exec', ns[h].name, ...agentCli, 'enroll', '--server', app.base, '--token', token,
    '--endpoint', `${ips[h]}:51820`, '--interface', `ft${p.tag}${h}`, '--state-dir', dir], { timeout: 60_000 });
  agents[h] = new Agent(h, dir);
  agents[h].start();
}

beforeAll(async () => {
  requireRoot();
  requireTools(['ip', 'wg', 'wireguard-go', 'nft']);
  requireTun();
  const dist = requireBuild();
  tmp = await mkdtemp(path.join(tmpdir(), 'faults-'));
  p.onCleanup(() => rm(tmp, { recursive: true, force: true }));
  cluster = startPrivateCluster(55432);
  p.onCleanup(() => cluster?.remove());
  p.makeBridge();
  for (const h of ['a', 'b'] as const) ns[h] = p.plug(h, ips[h]);
  app = await startBuiltApp(p, {
    databaseUrl: cluster.url, dataDir: path.join(tmp, 'data'), dist, host: p.underlay.bridgeIp, port: 3650, email: 'faults@example.test',
    env: { MESHPLANE_WORKER_TIMER: '0' }, // no safety net: only NOTIFY and the channel deliver
  });
  const project = await app.api<{ id: string }>('POST', '/projects', { name: 'faults' });
  networkId = (await app.api<{ id: string }>('POST', `/projects/${project.id}/networks`, { label: 'faults' })).id;
  const member = await app.api<{ peers: { id: string; number: number }[] }>('POST', `/networks/${networkId}/members`, { kind: 'application', label: 'web', processes: { web: 2 } });
  const [one, two] = [...member.peers].sort((x, y) => x.number - y.number);
  await Promise.all([enrol('a', one.id), enrol('b', two.id)]);
  await app.converged(networkId, 30_000);
}, 180_000);

afterAll(() => p.cleanup(), 60_000);

describe('faults during delivery: nothing lost, nothing applied twice, no host back a version', () => {
  it('the app SIGKILLed mid-delivery and started again: the hosts converge', async () => {
    for (let i = 0; i < 4; i++) await addRule();
    await app.kill(); // envelopes of the last changes on their way, answers not yet recorded
    const at = { a: agents.a.events().at(-1)?.version, b: agents.b.events().at(-1)?.version, latest: await versionFromDb() };
    console.log(`app killed; agents had applied ${JSON.stringify(at)}`);
    await app.restart();
    const back = Date.now();
    await addRule(); // and a change made right after the restart
    expect(await expectComplete('app restarted', back, 20_000)).toBeLessThan(20_000);
  }, 90_000);

  it('the database stopped mid-delivery (503 meanwhile) and started again: the hosts converge; NOTIFY wakes delivery again', async () => {
    await addRule();
    await addRule();
    cluster!.stop('fast');
    let answered = 0;
    try {
      await addRule();
    } catch (e) {
      answered = Number(/answered (\d+)/.exec(String(e))?.[1]);
    }
    expect(answered).toBe(503); // refused, so not one of the changes that must arrive
    await new Promise((r) => setTimeout(r, 4_000)); // down a while: agents back off, the listener retries
    cluster!.start();
    const back = Date.now();
    await waitFor('the API to answer again', async () => (await version()) > 0, 20_000, 100);
    await expectComplete('database restarted', back, 20_000);

    // The agents are up to date and their polls held: only a NOTIFY heard by the app can wake them.
    await new Promise((r) => setTimeout(r, 500));
    const changed = Date.now();
    await addRule();
    const ms = await expectComplete('a change after the database restart', changed, 5_000);
    expect(ms).toBeLessThan(2_500);
  }, 90_000);

  it('an agent SIGKILLed while it applies, several times: it ends at the latest version, its state file never torn', async () => {
    const a = agents.a;
    // Kill at the n-th system command of an apply (wg, ip, nft, sh run by the agent): early, middle, late.
    for (const nth of [1, 6, 12]) {
      await app.converged(networkId, 20_000); // connected and up to date: the kill hits the apply of a new version
      const before = a.applied().version;
      const pid = a.child.pid!;
      const seen = new Set<number>();
      const burst = (async () => { for (let i = 0; i < 3; i++) await addRule(); })();
      let killedWith = '';
      for (const until = Date.now() + 10_000; Date.now() < until && seen.size < nth;) {
        for (const c of childrenOf(pid)) {
          if (seen.has(c)) continue;
          seen.add(c);
          if (seen.size === nth) killedWith = commOf(c);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      await a.kill();
      await burst;
      const saved = a.applied(); // valid whatever moment the kill hit
      console.log(`agent killed at its command #${seen.size} (${killedWith}); state file at ${saved.version} (was ${before}, latest ${await version()})`);
      expect(saved.version).toBeGreaterThanOrEqual(before);
      a.start();
    }
    // And killed the moment it has persisted the latest version, before its answer is sent
    // (the answer follows a drift check and `wg show`): only its next poll can say it applied it.
    await app.converged(networkId, 20_000);
    for (let i = 0; i < 2; i++) await addRule();
    const latest = await version();
    await waitFor(`agent a to persist version ${latest}`, async () => {
      try { return a.applied().version === latest; } catch { return false; } // mid-rename: not torn, just not there
    }, 10_000, 1);
    await a.kill();
    const answered = (await app.api<{ items: { ip: string; appliedVersion: number }[] }>('GET', `/networks/${networkId}/peers`)).items;
    console.log(`agent killed after persisting ${latest}; the control plane had recorded ${JSON.stringify(answered.map((x) => x.appliedVersion))}`);
    a.start();
    const back = Date.now();
    expect(await expectComplete('agent restarted', back, 20_000)).toBeLessThan(20_000);
    // The restarted agent's interface is whole: it has the other host as its peer.
    const peers = ns.a.exec(['wg', 'show', `ft${p.tag}a`, 'peers']);
    expect(peers.trim().split('\n').filter(Boolean)).toHaveLength(1);
  }, 90_000);
});

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}
