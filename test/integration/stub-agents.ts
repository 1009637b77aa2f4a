import http from 'node:http';
import { createGunzip } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { decidePush } from '../../lib/core/protocol/decide-push';
import { type AgentHealth, maxListedPeers } from '../../lib/core/protocol/messages';
import { type NetworkState, normalizeState } from '../../lib/core/protocol/network-state';
import { verifyEnvelope } from '../../lib/core/protocol/signing';
import { openChannel, type Channel, type ChannelOptions } from '../../agent/channel';

/*
 * Lightweight stand-ins for meshplane agents: many agents behind one HTTP server on
 * loopback (POST /a/<peerId>/push), each verifying with the real signature check and
 * applying with the real applyDelta, in memory, with the agent's refusal rules (target,
 * network, stale, need_snapshot, own peer present). Each keeps a log of what it received
 * and applied, so tests can assert "exactly once per version" and "never backwards".
 */

export type StubMode = 'ok' | 'hang';
/** A fixed answer, whatever was pushed: what anything else at an agentUrl might say. */
export type RawAnswer = { status: number; headers?: Record<string, string>; body: string | Buffer };
export type StubAgent = {
  peerId: string;
  state: NetworkState | null;
  received: { version: number; kind: 'snapshot' | 'delta' }[];
  applied: number[];
  mode: StubMode;
  delayMs: number;
  raw?: RawAnswer;
  /** Pushes that reached this stub at all (raw answers included). */
  hits: number;
  /** Sent with every answer when set, as the agent does (docs/agent-protocol.md). */
  health?: AgentHealth;
};

export class StubFleet {
  readonly agents = new Map<string, StubAgent>();
  private server: http.Server | null = null;
  private port = 0;
  private host = '127.0.0.1';

  constructor(private readonly signingPublicKey: string) {}

  /** `host` '::' listens on every loopback address too (127.0.0.2, ::1), for the address rules' tests. */
  async start(port = this.port, host = this.host): Promise<this> {
    this.host = host;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject).listen(port, host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Closes the port (its agents then refuse connections) and drops open requests. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  add(peerId: string, opts: Partial<Pick<StubAgent, 'mode' | 'delayMs' | 'raw'>> = {}): string {
    this.agents.set(peerId, { peerId, state: null, received: [], applied: [], mode: 'ok', delayMs: 0, hits: 0, ...opts });
    return `http://127.0.0.1:${this.port}/a/${peerId}`;
  }

  /**
   * A stub that is reached only over its channel: the agent's real channel client
   * (agent/channel.ts) long-polls `server` with the host token and hands each envelope to
   * this stub's checks, as the agent hands it to its applier.
   */
  connect(peerId: string, server: string, hostToken: string, opts: Partial<ChannelOptions> = {}): Channel {
    if (!this.agents.has(peerId)) this.agents.set(peerId, { peerId, state: null, received: [], applied: [], mode: 'ok', delayMs: 0, hits: 0 });
    const agent = this.get(peerId);
    return openChannel({
      server, hostToken, backoffBaseMs: 50, backoffMaxMs: 500, ...opts,
      handle: async (envelope) => this.apply(agent, JSON.stringify(envelope)), // hits count direct pushes only
      appliedVersion: () => agent.state?.version ?? null,
    });
  }

  get(peerId: string): StubAgent {
    const a = this.agents.get(peerId);
    if (!a) throw new Error(`no stub agent ${peerId}`);
    return a;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const m = /^\/a\/([^/]+)\/push$/.exec(req.url ?? '');
    const agent = m ? this.agents.get(m[1]) : undefined;
    if (!agent || req.method !== 'POST') return send(404, { error: { code: 'not_found', message: 'no such agent' } });
    const source = req.headers['content-encoding'] === 'gzip' ? req.pipe(createGunzip()) : req;
    const chunks: Buffer[] = [];
    try {
      for await (const c of source) chunks.push(c as Buffer);
    } catch {
      return send(400, { error: { code: 'malformed', message: 'bad gzip' } });
    }
    agent.hits++;
    if (agent.mode === 'hang') return; // never answers: the worker's timeout must fire
    if (agent.raw) return res.writeHead(agent.raw.status, agent.raw.headers ?? {}).end(agent.raw.body);
    if (agent.delayMs > 0) await new Promise((r) => setTimeout(r, agent.delayMs));
    const answer = this.apply(agent, Buffer.concat(chunks).toString('utf8'));
    send(answer.status, answer.body);
  }

  private apply(agent: StubAgent, text: string): { status: number; body: Record<string, unknown> } {
    const fail = (status: number, code: string, message: string) =>
      ({ status, body: { error: { code, message }, appliedVersion: agent.state?.version ?? null, ...(agent.health ? { health: agent.health } : {}) } });
    let envelope: unknown;
    try { envelope = JSON.parse(text); } catch { return fail(400, 'malformed', 'body is not JSON'); }
    const verify = (e: unknown) => {
      const v = verifyEnvelope(e, this.signingPublicKey);
      if (v.ok && v.target === agent.peerId) agent.received.push({ version: v.message.version, kind: v.message.type });
      return v;
    };
    const decision = decidePush(agent.state, envelope, agent.peerId, { verify });
    if (!decision.ok) return fail(decision.status, decision.code, decision.message);
    const next = normalizeState(decision.next);
    agent.state = next;
    agent.applied.push(next.version);
    // Answers like the agent: totals over every peer, and the peers that shook hands listed (at
    // most maxListedPeers). Here only the first other host has shaken hands (so no ordering to
    // do), and every peer has moved 100 bytes in and 50 out.
    const all = next.hosts.filter((h) => h.publicKey && h.peerId !== agent.peerId)
      .map((h, i) => ({ publicKey: h.publicKey, latestHandshake: i === 0 ? '2030-01-02T03:04:05.000Z' : null, rxBytes: 100, txBytes: 50 }));
    const talking = all.filter((p) => p.latestHandshake !== null);
    const totals = {
      latestHandshake: talking[0]?.latestHandshake ?? null,
      rxBytes: all.reduce((n, p) => n + p.rxBytes, 0),
      txBytes: all.reduce((n, p) => n + p.txBytes, 0),
      peersWithHandshake: talking.length,
    };
    return { status: 200, body: { appliedVersion: next.version, totals, peers: talking.slice(0, maxListedPeers), ...(agent.health ? { health: agent.health } : {}) } };
  }
}

