/*
 * Channel stub agents (issue 13): one process holding many hosts' channels to the app, each
 * the agent's real client (agent/channel.ts openChannel: its WebSocket stream, or its long-poll
 * over agent/http-client.ts with BENCH_CHANNEL_TRANSPORT=poll) with the
 * agent's handler minus the system apply: the stub host of bench/stub-host.ts (signature once
 * per distinct payload, target, network, version, delta or snapshot, the agent's answer).
 * Each host starts from a signed snapshot handed over by the parent, as an agent restarted
 * with its state on disk does. Run as a child of bench/run.ts (IPC); it reports, with its own
 * clock, when its hosts reach a version.
 */
import http from 'node:http';
import { openChannel, type Channel } from '../agent/channel';
import { answerChunks, configure, decide, epochNow, hosts, record, refusal, stats, waitVersion, type Host } from './stub-host';
import { serveParent } from './ipc';

const channels: Channel[] = [];
let cpuMark = process.cpuUsage();
const failures = { count: 0, byProblem: {} as Record<string, number> };
const answered = { ok: 0, refused: 0 };

function handleFor(host: Host, peerId: string) {
  return async (envelope: unknown) => {
    stats.requests++;
    const decision = decide(host, envelope, peerId);
    if (!decision.ok) {
      answered.refused++;
      return { status: decision.status, body: refusal(decision.code, decision.message, host) };
    }
    record(host, decision.next);
    answered.ok++;
    // The same bytes as the push stubs answer, as the object the channel client sends.
    const body = JSON.parse(Buffer.concat(answerChunks(decision.next, peerId)).toString('utf8')) as Record<string, unknown>;
    return { status: 200, body };
  };
}

serveParent({
  /** Seeds every host with the snapshot (its own target), then opens all the channels at once. */
  start(args: { server: string; signingPublicKey: string; hosts: { peerId: string; token: string }[]; snapshot: { payload: string; signature: string }; transport: 'stream' | 'poll' }) {
    configure({ signingPublicKey: args.signingPublicKey, talking: 8 });
    for (const h of args.hosts) {
      const host: Host = { state: null };
      const seeded = decide(host, { ...args.snapshot, target: h.peerId }, h.peerId);
      if (!seeded.ok) throw new Error(`the seed snapshot was refused for ${h.peerId}: ${seeded.code} ${seeded.message}`);
      host.state = seeded.next;
      hosts.set(h.peerId, host);
    }
    for (const h of args.hosts) {
      const host = hosts.get(h.peerId)!;
      channels.push(openChannel({
        server: args.server, hostToken: h.token, handle: handleFor(host, h.peerId), transport: args.transport,
        appliedVersion: () => host.state?.version ?? null,
        onConnected: (ok, problem) => {
          if (ok) return;
          failures.count++;
          const key = (problem ?? '?').slice(0, 60);
          failures.byProblem[key] = (failures.byProblem[key] ?? 0) + 1;
        },
      }));
    }
    return { hosts: hosts.size, version: hosts.values().next().value?.state?.version ?? null, sockets: http.globalAgent.maxSockets };
  },
  waitVersion,
  stats() {
    const cpu = process.cpuUsage(cpuMark);
    cpuMark = process.cpuUsage();
    const snapshot = { ...stats, ...answered, failures: failures.count, problems: failures.byProblem, hosts: hosts.size, rss: process.memoryUsage().rss, cpuMs: (cpu.user + cpu.system) / 1000, at: epochNow() };
    for (const k of ['requests', 'verifications', 'answerBytes'] as const) stats[k] = 0;
    failures.count = 0;
    failures.byProblem = {};
    answered.ok = 0;
    answered.refused = 0;
    return snapshot;
  },
  async close() {
    await Promise.all(channels.splice(0).map((c) => c.close()));
    return true;
  },
});
