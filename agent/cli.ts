import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { z } from 'zod';
import { generateKeyPair } from '../lib/core/wireguard/keys';
import { Applier } from './apply';
import { DnsResponder, dnsSink } from './dns';
import { probeControlPlane } from './probe';
import { createAgentServer, listen, splitHostPort } from './server';
import { openChannel } from './channel';
import { startReporter } from './report';
import {
  defaultStateDir, fileAppliedStore, loadAgent, publicKeyOf, readPrivateKey, writeIdentity, writePrivateKey,
} from './state';
import { RealSystem } from './system';
import { isJoined, joinNetwork, joinOptionsFrom, leaveNetwork } from './join';
import { parseUpstreams, systemUpstreams, UpstreamForwarder } from './upstream';

/*
 * meshplane-agent: `enroll` once, then `run` (e.g. under systemd). See docs/agent-protocol.md.
 */

const usage = `usage:
  meshplane-agent enroll --server URL --token T --endpoint HOST:PORT [--listen ADDR:PORT]
                         [--interface mp0] [--state-dir ${defaultStateDir}] [--agent-url URL]
  meshplane-agent join --server URL --key K [--process web] [--instance N] [--endpoint HOST:PORT] [--listen ADDR:PORT]
                       [--interface mp0] [--state-dir ${defaultStateDir}] [--leave-on-exit] [run's options]
                       (or MESHPLANE_SERVER, MESHPLANE_JOIN_KEY, MESHPLANE_PROCESS, MESHPLANE_INSTANCE); then runs
  meshplane-agent leave [--state-dir ${defaultStateDir}]
  meshplane-agent run [--state-dir ${defaultStateDir}] [--dns-port 53] [--env-file FILE]
                      [--dns-upstream ADDR[:PORT][,…] (repeatable; default: /etc/resolv.conf; none: no forwarding)]`;

const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

/*
 * A full garbage collection after each piece of work (a push, a reconcile round): the agent
 * idles between them, and V8 left alone keeps the heap it grew while parsing a large document
 * (a 1,000-host snapshot left ~25 MB of RSS behind). Small and young space: RSS, not speed,
 * is what counts on a host. The flags are taken at run time, before any large allocation.
 * No optimizing or baseline compiler either (the interpreter only, as V8's lite mode, which
 * cannot be turned on at run time): the agent's JavaScript is a few milliseconds per push,
 * and TurboFan's and Sparkplug's code and zones cost ~6 MB of RSS for good (bench/agent-rss.ts).
 */
v8.setFlagsFromString('--expose-gc');
v8.setFlagsFromString('--semi-space-growth-factor=1');
for (const flag of ['--no-turbofan', '--no-sparkplug', '--no-maglev', '--optimize-for-size', '--max-lazy']) v8.setFlagsFromString(flag);
const collect = vm.runInNewContext('gc') as () => void;

const enrollAnswerSchema = z.object({
  peerId: z.string().min(1),
  hostToken: z.string().min(1),
  signingPublicKey: z.string().refine((s) => Buffer.from(s, 'base64').length === 32, 'not a base64 Ed25519 public key'),
});

async function enroll(argv: string[]): Promise<void> {
  const { values: o } = parseArgs({ args: argv, options: {
    server: { type: 'string' }, token: { type: 'string' }, endpoint: { type: 'string' }, listen: { type: 'string' },
    interface: { type: 'string', default: 'mp0' }, 'state-dir': { type: 'string', default: defaultStateDir },
    'agent-url': { type: 'string' },
  } });
  if (!o.server || !o.token || !o.endpoint) throw new Error(`enroll needs --server, --token and --endpoint\n${usage}`);
  const dir = o['state-dir'];
  if (existsSync(join(dir, 'identity.json'))) throw new Error(`${dir} is already enrolled; use another --state-dir or remove it`);
  splitHostPort(o.endpoint);
  // Without --listen the host is reached only over the channel it opens (run): no agentUrl.
  let agentUrl: string | undefined = o['agent-url'];
  if (o.listen && !agentUrl) {
    const listenAt = splitHostPort(o.listen);
    // An unspecified listen address is not reachable as such: use the endpoint's host.
    const host = ['0.0.0.0', '::', ''].includes(listenAt.host) ? splitHostPort(o.endpoint).host : listenAt.host;
    agentUrl = `http://${host.includes(':') ? `[${host}]` : host}:${listenAt.port}`;
  }

  const privateKey = (await readPrivateKey(dir)) ?? generateKeyPair().privateKey;
  await writePrivateKey(dir, privateKey);
  const publicKey = publicKeyOf(privateKey);

  const res = await fetch(new URL('/api/agent/enroll', o.server), {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: o.token, publicKey, endpoint: o.endpoint, ...(agentUrl ? { agentUrl } : {}) }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = await res.json().catch(() => null) as { error?: { message?: string } } | null;
  if (!res.ok) throw new Error(`enrolment refused (${res.status}): ${body?.error?.message ?? 'no details'}`);
  const answer = enrollAnswerSchema.parse(body);
  await writeIdentity(dir, {
    server: o.server, peerId: answer.peerId, hostToken: answer.hostToken, signingPublicKey: answer.signingPublicKey,
    interface: o.interface, ...(o.listen ? { listen: o.listen } : {}), endpoint: o.endpoint,
  });
  console.log(`enrolled as ${answer.peerId} (public key ${publicKey}); signing key pinned. Now: meshplane-agent run --state-dir ${dir}`);
}

const runOptions = {
  'state-dir': { type: 'string', default: defaultStateDir }, 'dns-port': { type: 'string', default: '53' },
  'env-file': { type: 'string' }, 'dns-upstream': { type: 'string', multiple: true },
} as const;

/** join: claims an instance with a reusable key (unless this state dir has joined already), then runs. */
async function joinCommand(argv: string[]): Promise<void> {
  const { values: o } = parseArgs({ args: argv, options: {
    ...runOptions, server: { type: 'string' }, key: { type: 'string' }, process: { type: 'string' }, instance: { type: 'string' },
    endpoint: { type: 'string' }, listen: { type: 'string' }, interface: { type: 'string', default: 'mp0' }, 'agent-url': { type: 'string' },
    'leave-on-exit': { type: 'boolean', default: false },
  } });
  const dir = o['state-dir'];
  if (isJoined(dir)) {
    log(`${dir} has joined already: running (meshplane-agent leave gives the instance up)`);
  } else {
    const given = joinOptionsFrom(o, process.env);
    const joined = await joinNetwork({ ...given, interface: o.interface, stateDir: dir });
    log(`joined as ${joined.process} ${joined.instance} (${joined.ip}, ${joined.peerId})`);
  }
  const runArgv = ['--state-dir', dir, '--dns-port', o['dns-port'], ...(o['env-file'] ? ['--env-file', o['env-file']] : []),
    ...(o['dns-upstream'] ?? []).flatMap((u) => ['--dns-upstream', u])];
  await run(runArgv, o['leave-on-exit'] ? async () => log(await leaveNetwork(dir)) : undefined);
}

async function leave(argv: string[]): Promise<void> {
  const { values: o } = parseArgs({ args: argv, options: { 'state-dir': { type: 'string', default: defaultStateDir } } });
  console.log(await leaveNetwork(o['state-dir']));
}

async function run(argv: string[], beforeStop?: () => Promise<void>): Promise<void> {
  const { values: o } = parseArgs({ args: argv, options: {
    'state-dir': { type: 'string', default: defaultStateDir }, 'dns-port': { type: 'string', default: '53' },
    'env-file': { type: 'string' }, 'dns-upstream': { type: 'string', multiple: true },
  } });
  const dir = o['state-dir'];
  // Names outside the zone go to these resolvers (wg-quick sends a device's every lookup to us).
  const given = o['dns-upstream'];
  const upstreams = given === undefined ? systemUpstreams()
    : given.length === 1 && given[0].trim() === 'none' ? [] : parseUpstreams(given);
  const { identity, privateKey } = await loadAgent(dir);
  const forwarder = new UpstreamForwarder(upstreams);
  const responder = new DnsResponder({ upstream: forwarder });
  const system = new RealSystem();
  const applier = new Applier({
    system, store: fileAppliedStore(dir), peerId: identity.peerId,
    signingPublicKey: identity.signingPublicKey, privateKey, interfaceName: identity.interface,
    envFile: o['env-file'] ?? join(dir, 'meshplane.env'), dns: dnsSink(responder, Number(o['dns-port'])), log,
  });
  try {
    const restored = await applier.restore();
    if (restored !== null) log(`restored version ${restored} on ${identity.interface}`);
    collect();
  } catch (e) {
    log(`could not restore the last applied version (retried every 15 s, and by the next push): ${e instanceof Error ? e.message : String(e)}`);
  }
  // Reconcile every 15 s and at once on a link event of our interface (a few events in a row
  // make one check); a failed repair is tried again after 3 s.
  let soon: NodeJS.Timeout | null = null;
  const reconcileSoon = (trigger: string, ms: number) => {
    if (soon) return;
    soon = setTimeout(() => {
      soon = null;
      void applier.reconcile(trigger).then((r) => { collect(); reporter.poke(); if (r.drift.length > 0) reconcileSoon('retry', 3000); },
        (e: unknown) => { log(`reconcile failed: ${e instanceof Error ? e.message : String(e)}`); reconcileSoon('retry', 3000); });
    }, ms);
  };
  const timer = setInterval(() => reconcileSoon('timer', 0), 15_000);
  const stopWatching = system.watchLinks(identity.interface, () => reconcileSoon('netlink event', 200));
  let lastProblem: string | null = null;
  const probe = async () => {
    const problem = await probeControlPlane(identity.server);
    applier.setControlPlaneProblem(problem);
    if (problem !== lastProblem) log(problem ?? `the control plane at ${identity.server} answers again`);
    lastProblem = problem;
  };
  void probe();
  const probing = setInterval(() => void probe(), 60_000);
  // The channel to the control plane, always: envelopes arrive over it whether or not the
  // host also takes direct pushes (the control plane uses the channel while it is connected).
  const channel = openChannel({
    server: identity.server, hostToken: identity.hostToken, log,
    handle: async (envelope) => {
      try {
        const answer = await applier.push(envelope);
        const err = answer.body.error as { code: string; message: string } | undefined;
        log(err ? `channel: refused ${answer.status} ${err.code}: ${err.message}` : `applied version ${String(answer.body.appliedVersion)} (channel)`);
        return answer;
      } catch (e) {
        log(`channel: apply failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
        return { status: 500, body: { error: { code: 'internal', message: 'the agent failed before applying; see its log' } } };
      } finally {
        setImmediate(collect);
      }
    },
    appliedVersion: () => applier.appliedVersion(),
  });
  log(`${identity.peerId} opening its channel to ${identity.server}`);
  // Health and handshakes between documents, over the same outbound path.
  const reporter = startReporter({
    server: identity.server, hostToken: identity.hostToken, log,
    health: () => applier.health(), stats: () => applier.stats(),
  });
  const server = identity.listen ? createAgentServer(applier, { log, afterPush: () => setImmediate(collect) }) : null;
  if (server && identity.listen) {
    const port = await listen(server, identity.listen);
    log(`${identity.peerId} listening for pushes on ${identity.listen.replace(/:\d+$/, `:${port}`)}`);
  }
  log(upstreams.length > 0
    ? `DNS outside the zone forwarded to ${upstreams.map((u) => (u.address.includes(':') ? `[${u.address}]:${u.port}` : `${u.address}:${u.port}`)).join(', ')}`
    : 'DNS outside the zone refused (no upstream resolver)');
  const stop = () => {
    log('stopping');
    clearInterval(timer);
    clearInterval(probing);
    stopWatching();
    void channel.close();
    void reporter.close();
    server?.close();
    forwarder.close();
    void responder.close();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  const stopping = () => {
    if (!beforeStop) return stop();
    // --leave-on-exit: the instance is given up first (a failure is logged; the host stops anyway).
    void beforeStop().catch((e: unknown) => log(`leave failed: ${e instanceof Error ? e.message : String(e)}`)).finally(stop);
  };
  process.once('SIGTERM', stopping);
  process.once('SIGINT', stopping);
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (argv: string[]) => Promise<void>> = { enroll, run: (argv) => run(argv), join: joinCommand, leave };
if (!command || !commands[command]) {
  console.error(usage);
  process.exit(2);
}
commands[command](rest).catch((e: unknown) => {
  console.error(`meshplane-agent ${command}: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
