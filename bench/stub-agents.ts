/*
 * Stub agents: one node:http server on loopback standing in for every host of the
 * benchmark. Host <peerId> is reached at http://127.0.0.1:PORT/h/<peerId> (the worker adds
 * /push). Each host follows the real agent's rules (docs/agent-protocol.md): Ed25519
 * signature checked with the real verifyEnvelope, then target, network, version (stale),
 * delta fromVersion (need_snapshot), own peer present; deltas applied with lib/protocol
 * applyDelta; the state kept in memory; the answer is the agent's
 * `{ appliedVersion, totals, peers: [wg show figures of at most 64 peers that shook hands] }`.
 *
 * What keeps 5,000 hosts in one process lightweight — every shortcut gives exactly the
 * result the plain path would:
 * - a signature is verified once per distinct payload (the worker sends the same signed
 *   bytes to every host): cached by signature, and reused only for the identical payload;
 * - a gzip body made of two members (the shared, signed head compressed once by the
 *   worker, then the host's small tail) is inflated once per distinct head: a known head is
 *   recognised by its bytes (compared in full) and its inflated text reused;
 * - states are immutable and shared: hosts at the same version hold the same object, and
 *   applyDelta runs once per (state, payload) pair rather than once per host.
 * Run as a child of bench/run.ts (IPC); it reports when hosts reach a version.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { applyDelta } from '../lib/core/protocol/diff';
import { decidePush } from '../lib/core/protocol/decide-push';
import { normalizeState, type NetworkState } from '../lib/core/protocol/network-state';
import { maxListedPeers, type Message } from '../lib/core/protocol/messages';
import { verifyEnvelope, type VerifyResult } from '../lib/core/protocol/signing';
import { serveParent } from './ipc';

type Host = { state: NetworkState | null };
/** `need`: the version a host of this network must reach to count (undefined: it does not count). */
type Waiter = { need: (networkId: string) => number | undefined; count: number; seen: number; last: Map<string, number>; resolve: (at: number) => void };

const hosts = new Map<string, Host>();
const waiters: Waiter[] = [];
const stats = { requests: 0, verifications: 0, answerBytes: 0, lastApplyAt: 0 };
let signingKey = '';
let talking: number | 'all' = 8;
let server: http.Server | null = null;
let cpuMark = process.cpuUsage();

const epochNow = () => performance.timeOrigin + performance.now();

// ---- bodies ---------------------------------------------------------------------------

type Head = { raw: Buffer; text: string; parsed: { payload: string; signature: string } | null };
const heads = new Map<string, Head>(); // "split:crc:isize" of the head member → head
const headPattern = /^\{"payload":"([A-Za-z0-9+/=]*)","signature":"([A-Za-z0-9+/=]*)","target":"$/;

function tryGunzip(buf: Buffer): string | null {
  try { return gunzipSync(buf).toString('utf8'); } catch { return null; }
}

const splitKey = (raw: Buffer, p: number) => `${p}:${raw.readUInt32LE(p - 8)}:${raw.readUInt32LE(p - 4)}`;

/** Candidate starts of a last gzip member: the gzip magic within the body's last 512 bytes. */
function* splits(raw: Buffer) {
  for (let p = Math.max(18, raw.length - 512); p <= raw.length - 18; p++) {
    if (raw[p] === 0x1f && raw[p + 1] === 0x8b && raw[p + 2] === 8) yield p;
  }
}

/** The body as text, and the envelope fields when the head is a known one. */
function readGzip(raw: Buffer): { text: string; head?: Head; tail?: string } | null {
  for (const p of splits(raw)) {
    const head = heads.get(splitKey(raw, p));
    if (head && head.raw.equals(raw.subarray(0, p))) {
      const tail = tryGunzip(raw.subarray(p));
      if (tail !== null) return { text: head.text + tail, head, tail };
    }
  }
  const whole = tryGunzip(raw); // a multi-member stream inflates to the concatenation
  if (whole === null) return null;
  if (raw.length > 64 << 10) learnHead(raw);
  return { text: whole };
}

function learnHead(raw: Buffer) {
  for (const p of splits(raw)) {
    const text = tryGunzip(raw.subarray(0, p));
    if (text === null || tryGunzip(raw.subarray(p)) === null) continue;
    const m = headPattern.exec(text);
    heads.set(splitKey(raw, p), { raw: Buffer.from(raw.subarray(0, p)), text, parsed: m ? { payload: m[1], signature: m[2] } : null });
    while (heads.size > 6) heads.delete(heads.keys().next().value!);
    return;
  }
}

/** JSON.parse of the envelope, without re-parsing a known multi-megabyte head. */
function parseEnvelope(body: { text: string; head?: Head; tail?: string }): unknown {
  if (body.head?.parsed && body.tail !== undefined) {
    // head = {"payload":"P","signature":"S","target":"  so the envelope is {P, S, target}
    // exactly when the tail alone reads as {"target":"…"} with nothing else in it.
    try {
      const rest = JSON.parse(`{"target":"${body.tail}`) as Record<string, unknown>;
      if (Object.keys(rest).length === 1 && typeof rest.target === 'string') return { ...body.head.parsed, target: rest.target };
    } catch { /* fall through to the plain parse */ }
  }
  return JSON.parse(body.text);
}

// ---- verification and state ---------------------------------------------------------

const verified = new Map<string, { payload: string; message: Message }>(); // signature → checked payload
const snapshots = new Map<string, NetworkState>(); // signature → normalized state
const applied = new WeakMap<NetworkState, Map<string, NetworkState>>(); // from state → signature → next
const members = new WeakMap<NetworkState, Set<string>>();

type Verdict = (VerifyResult & { ok: true; signature: string }) | (VerifyResult & { ok: false });

function verify(envelope: unknown): Verdict {
  const e = envelope as { payload?: unknown; signature?: unknown; target?: unknown } | null;
  if (e && typeof e.payload === 'string' && typeof e.signature === 'string' && e.signature && typeof e.target === 'string') {
    const hit = verified.get(e.signature);
    if (hit && hit.payload === e.payload) return { ok: true, message: hit.message, target: e.target, signature: e.signature };
  }
  stats.verifications++;
  const v = verifyEnvelope(envelope, signingKey);
  if (!v.ok) return v;
  const sig = (envelope as { signature: string }).signature;
  verified.set(sig, { payload: (envelope as { payload: string }).payload, message: v.message });
  while (verified.size > 64) verified.delete(verified.keys().next().value!);
  return { ok: true, message: v.message, target: v.target, signature: sig };
}

function memberSet(state: NetworkState): Set<string> {
  let set = members.get(state);
  if (!set) members.set(state, (set = new Set(state.hosts.map((h) => h.peerId))));
  return set;
}

function nextState(cur: NetworkState | null, message: Message, signature: string): NetworkState {
  if (message.type === 'snapshot') {
    let s = snapshots.get(signature);
    if (!s) {
      snapshots.set(signature, (s = normalizeState(message.state)));
      while (snapshots.size > 8) snapshots.delete(snapshots.keys().next().value!);
    }
    return s;
  }
  let byPayload = applied.get(cur!);
  if (!byPayload) applied.set(cur!, (byPayload = new Map()));
  let s = byPayload.get(signature);
  if (!s) byPayload.set(signature, (s = applyDelta(cur!, message)));
  return s;
}

// ---- answers: what the agent reads from `wg show <if> dump` --------------------------------
// The agent lists the peers that have completed a handshake (docs/agent-protocol.md). Stub
// hosts have no tunnels, so each pretends to talk to `talking` peers: the first enrolled
// hosts of the document other than itself ('all': every peer, an entirely active mesh).
// Kept as bytes, once per state: an answer is slices of one shared buffer, nothing copied.

type Figures = { talking: number | 'all'; joined: Buffer; offsets: number[]; index: Map<string, number> };
const figuresOf = new WeakMap<NetworkState, Figures>();
const handshake = new Date(Date.now() - 30_000).toISOString();

function peersChunks(state: NetworkState, self: string): { chunks: Buffer[]; talkingTo: number } {
  if (talking === 0) return { chunks: [], talkingTo: 0 };
  let f = figuresOf.get(state);
  if (!f || f.talking !== talking) {
    const parts: Buffer[] = [];
    const index = new Map<string, number>();
    for (const h of state.hosts) {
      if (!h.publicKey) continue;
      if (talking !== 'all' && parts.length > talking) break; // one spare, for a host that is among them
      index.set(h.peerId, parts.length);
      parts.push(Buffer.from(JSON.stringify({ publicKey: h.publicKey, latestHandshake: handshake, rxBytes: 92_160, txBytes: 47_104 }) + ','));
    }
    const offsets: number[] = [];
    let at = 0;
    for (const p of parts) { offsets.push(at); at += p.length; }
    offsets.push(at);
    figuresOf.set(state, (f = { talking, joined: Buffer.concat(parts), offsets, index }));
  }
  const { joined, offsets } = f;
  const count = offsets.length - 1;
  const i = f.index.get(self);
  const keep = talking === 'all' ? count : Math.min(talking, count - (i === undefined ? 0 : 1));
  // Like the agent: every talking peer counts in the totals, at most maxListedPeers are listed.
  const listed = Math.min(keep, maxListedPeers);
  // Without itself: the first `listed` entries; with itself among them, the first listed + 1 but it.
  const selfAmong = i !== undefined && i <= listed;
  const pieces = !selfAmong
    ? [joined.subarray(0, offsets[listed])]
    : [joined.subarray(0, offsets[i]), joined.subarray(offsets[i + 1], offsets[listed + 1])];
  const kept = pieces.filter((b) => b.length > 0);
  if (kept.length === 0) return { chunks: [], talkingTo: keep };
  const last = kept[kept.length - 1]; // every entry ends with a comma; the last one kept loses it
  kept[kept.length - 1] = last.subarray(0, last.length - 1);
  return { chunks: kept, talkingTo: keep };
}

// ---- the server -----------------------------------------------------------------------

function record(host: Host, next: NetworkState) {
  const before = host.state?.version ?? 0;
  host.state = next;
  stats.lastApplyAt = epochNow();
  for (let i = waiters.length - 1; i >= 0; i--) {
    const w = waiters[i];
    const version = w.need(next.networkId);
    if (version === undefined || before >= version || next.version < version) continue;
    w.last.set(next.networkId, stats.lastApplyAt);
    if (++w.seen >= w.count) {
      waiters.splice(i, 1);
      w.resolve(stats.lastApplyAt);
    }
  }
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
  stats.requests++;
  const send = (status: number, body: string) => {
    stats.answerBytes += body.length;
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  };
  const fail = (status: number, code: string, message: string, host?: Host) =>
    send(status, JSON.stringify({ error: { code, message }, appliedVersion: host?.state?.version ?? null }));
  const m = /^\/h\/([a-z]{2}-[0-9a-z]{1,40})\/push$/.exec(req.url ?? '');
  if (!m || req.method !== 'POST') return fail(404, 'not_found', 'no such agent');
  const peerId = m[1];
  let host = hosts.get(peerId);
  if (!host) hosts.set(peerId, (host = { state: null }));
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const body = req.headers['content-encoding'] === 'gzip' ? readGzip(raw) : { text: raw.toString('utf8') };
  if (!body) return fail(400, 'malformed', 'body is not valid gzip', host);
  let envelope: unknown;
  try { envelope = parseEnvelope(body); } catch { return fail(400, 'malformed', 'body is not JSON', host); }
  let signature = '';
  const decision = decidePush(host.state, envelope, peerId, {
    verify: (e) => { const v = verify(e); if (v.ok) signature = v.signature; return v; },
    advance: (cur, msg) => nextState(cur, msg, signature),
    isHost: (state, id) => memberSet(state).has(id),
  });
  if (!decision.ok) return fail(decision.status, decision.code, decision.message, host);
  const next = decision.next;
  record(host, next);
  const figures = peersChunks(next, peerId);
  const n = figures.talkingTo;
  const totals = { latestHandshake: n ? handshake : null, rxBytes: n * 92_160, txBytes: n * 47_104, peersWithHandshake: n };
  const answer = [Buffer.from(`{"appliedVersion":${next.version},"totals":${JSON.stringify(totals)},"peers":[`), ...figures.chunks, Buffer.from(']}')];
  const length = answer.reduce((n, c) => n + c.length, 0);
  stats.answerBytes += length;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': length });
  res.cork();
  for (const c of answer) res.write(c);
  res.end();
}

serveParent({
  async start(args: { port: number; signingPublicKey: string; talking: number | 'all' }) {
    signingKey = args.signingPublicKey;
    talking = args.talking;
    server = http.createServer((req, res) => {
      handle(req, res).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'internal', message: String(e) } }));
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => server!.once('error', reject).listen(args.port, '127.0.0.1', () => resolve()));
    return { port: args.port };
  },
  setTalking(args: { talking: number | 'all' }) {
    talking = args.talking;
    return talking;
  },
  /**
   * Answers (epoch ms) when `count` hosts have reached `version`, counting those already there;
   * with `networks` (network id → version), only hosts of those networks count, each at its
   * network's version, and `last` gives when each network's last counted host applied.
   */
  waitVersion(args: { version?: number; networks?: Record<string, number>; count: number; timeoutMs: number }) {
    const need = args.networks ? (id: string) => args.networks![id] : () => args.version;
    let seen = 0;
    for (const h of hosts.values()) {
      const v = h.state ? need(h.state.networkId) : undefined;
      if (v !== undefined && h.state!.version >= v) seen++;
    }
    if (seen >= args.count) return { at: epochNow(), reached: seen, last: {} };
    return new Promise((resolve) => {
      const w: Waiter = { need, count: args.count, seen, last: new Map(), resolve: (at) => { clearTimeout(timer); resolve({ at, reached: w.seen, last: Object.fromEntries(w.last) }); } };
      const timer = setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        resolve({ at: null, reached: w.seen, last: Object.fromEntries(w.last) });
      }, args.timeoutMs);
      waiters.push(w);
    });
  },
  stats() {
    const cpu = process.cpuUsage(cpuMark);
    cpuMark = process.cpuUsage();
    const snapshot = { ...stats, hosts: hosts.size, rss: process.memoryUsage().rss, cpuMs: (cpu.user + cpu.system) / 1000 };
    for (const k of ['requests', 'verifications', 'answerBytes'] as const) stats[k] = 0;
    return snapshot;
  },
});
