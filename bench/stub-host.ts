/*
 * One stub host's rules and state, shared by the benchmark's two kinds of stub agent: the
 * push servers (bench/stub-agents.ts) and the channel agents (bench/channel-agents.ts, which
 * run the agent's real channel client). A host follows the agent's rules (decidePush, the
 * agent's own statement of them): signature checked with the real verifyEnvelope — once per
 * distinct payload, cached by signature and reused only for the identical payload string —
 * then target, network, version, delta fromVersion, own peer present; deltas applied with
 * applyDelta, once per (state, payload) pair: states are immutable and shared, hosts at the
 * same version hold the same object. The answer is the agent's
 * `{ appliedVersion, totals, peers }`, `peers` as slices of one buffer per state.
 */
import { applyDelta } from '../lib/core/protocol/diff';
import { decidePush, type PushDecision } from '../lib/core/protocol/decide-push';
import { normalizeState, type NetworkState } from '../lib/core/protocol/network-state';
import { maxListedPeers, type Message } from '../lib/core/protocol/messages';
import { verifyEnvelope, type VerifyResult } from '../lib/core/protocol/signing';

export type Host = { state: NetworkState | null };
/** `need`: the version a host of this network must reach to count (undefined: it does not count). */
type Waiter = { need: (networkId: string) => number | undefined; count: number; seen: number; last: Map<string, number>; resolve: (at: number) => void };

export const hosts = new Map<string, Host>();
const waiters: Waiter[] = [];
export const stats = { requests: 0, verifications: 0, answerBytes: 0, lastApplyAt: 0 };
let signingKey = '';
let talking: number | 'all' = 8;

export const epochNow = () => performance.timeOrigin + performance.now();

export function configure(opts: { signingPublicKey?: string; talking?: number | 'all' }) {
  if (opts.signingPublicKey !== undefined) signingKey = opts.signingPublicKey;
  if (opts.talking !== undefined) talking = opts.talking;
  return talking;
}

// ---- verification and state ---------------------------------------------------------

const verified = new Map<string, { payload: string; message: Message }>(); // signature → checked payload
const snapshots = new Map<string, NetworkState>(); // signature → normalized state
const applied = new WeakMap<NetworkState, Map<string, NetworkState>>(); // from state → signature → next
const members = new WeakMap<NetworkState, Set<string>>();

type Verdict = (VerifyResult & { ok: true; signature: string }) | (VerifyResult & { ok: false });

export function verify(envelope: unknown): Verdict {
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

// ---- hosts and the versions they reach -------------------------------------------------

export function record(host: Host, next: NetworkState) {
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

/** The agent's decision on an envelope for `peerId`, through the caches above. */
export function decide(host: Host, envelope: unknown, peerId: string): PushDecision {
  let signature = '';
  return decidePush(host.state, envelope, peerId, {
    verify: (e) => { const v = verify(e); if (v.ok) signature = v.signature; return v; },
    advance: (cur, msg) => nextState(cur, msg, signature),
    isHost: (state, id) => memberSet(state).has(id),
  });
}

/** The agent's answer after applying `next`, as bytes: `{ appliedVersion, totals, peers }`. */
export function answerChunks(next: NetworkState, peerId: string): Buffer[] {
  const figures = peersChunks(next, peerId);
  const n = figures.talkingTo;
  const totals = { latestHandshake: n ? handshake : null, rxBytes: n * 92_160, txBytes: n * 47_104, peersWithHandshake: n };
  return [Buffer.from(`{"appliedVersion":${next.version},"totals":${JSON.stringify(totals)},"peers":[`), ...figures.chunks, Buffer.from(']}')];
}

/** The agent's refusal body. */
export const refusal = (code: string, message: string, host?: Host) => ({ error: { code, message }, appliedVersion: host?.state?.version ?? null });

/**
 * Answers (epoch ms) when `count` hosts have reached `version`, counting those already there;
 * with `networks` (network id → version), only hosts of those networks count, each at its
 * network's version, and `last` gives when each network's last counted host applied.
 */
export function waitVersion(args: { version?: number; networks?: Record<string, number>; count: number; timeoutMs: number }):
  Promise<{ at: number | null; reached: number; last: Record<string, number> }> | { at: number; reached: number; last: Record<string, number> } {
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
}
