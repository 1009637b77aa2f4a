import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { networks, peers } from '../db/schema';
import { invalid } from '../errors';
import { configBus } from './config-channel';
import { currentDocument, deltaFrom, snapshotOf, type Prepared } from './documents';
import { authenticateHost, type HostPrincipal } from './host-auth';
import { getSigningKey } from './signing-key';
import { judgeAnswer } from '../../core/delivery/answer';
import { recordApplied } from './claims';
import { batched, batchedPer, csv } from '../db/batch';
import { healthOf } from './push-host';
import { changeNetwork } from '../networks/change';

/*
 * The channel the agent opens (docs/agent-protocol.md, "The channel"): an HTTP long-poll, and
 * the same polls over a WebSocket (lib/server/http/agent-stream.ts).
 * `GET /api/agent/v1/next?after=V` answers at once with the signed envelope of the network's
 * current version when it is above V (a delta from V when stored, else the snapshot), else
 * waits for a change to that network (NOTIFY, on whichever replica made it) for at most
 * `holdMs` and answers 204. The agent applies it with its usual checks and sends its answer
 * as the body of its next poll (`POST …/next`), so a change costs each host one exchange, not
 * two (`POST /api/agent/v1/answer` stays for agents that send it alone). Each call is authenticated by the host token, also again before
 * a held poll sends anything, so a revoked host gets 401, never a document. The agent's last
 * call is its liveness (`last_seen_at`); while it is recent the worker does not push directly.
 */

export { onlineWindowMs } from '../../core/delivery/liveness';
export const defaultHoldMs = 25_000;

const afterSchema = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/*
 * Thousands of held polls wake together on one change, and reconnect together after a
 * restart: their small reads and writes (the network's version, "seen now", the answers) are
 * batched (lib/server/db/batch.ts), so a wake costs a few queries, not a few per host.
 */
const versionOf = batchedPer((db: Db) => batched(async (ids: string[]) => {
  const rows = await db.select({ id: networks.id, version: networks.configVersion }).from(networks)
    .where(sql`${networks.id} = any(string_to_array(${csv(new Set(ids))}, ','))`);
  const byId = new Map(rows.map((r) => [r.id, r.version]));
  return ids.map((id) => byId.get(id));
}));

/** The envelope of `version` for a host at `after`, or null when it has it already (or its network is gone). */
async function envelopeFor(db: Db, networkId: string, after: number, version: number | undefined): Promise<Prepared | null> {
  if (version === undefined || version <= after) return null;
  const doc = await currentDocument(db, networkId, version, new Date());
  if (!doc || doc.state.version <= after) return null;
  const { secretKey } = await getSigningKey(db);
  return (after > 0 ? await deltaFrom(db, doc, after, secretKey) : null) ?? snapshotOf(doc, secretKey);
}

/**
 * Seen now, which also releases a claim left by a round that died (the host is here, with its
 * own version); one about to be answered (`sending`) is marked `sent`.
 */
type Seen = { peerId: string; sending: boolean };
/**
 * One batch of "seen now" as one statement (exported for its plan's test, id-list-plans.test.ts):
 * the hosts and whether each is being answered, joined as one list. Matched per row with
 * `= any(string_to_array(…))`, a generic plan split and searched the list again for every row.
 */
export function seenStatement(list: Seen[]): SQL {
  const hosts = new Map<string, boolean>();
  for (const s of list) hosts.set(s.peerId, (hosts.get(s.peerId) ?? false) || s.sending);
  return sql`
    update peers p set last_seen_at = now(), claimed_at = null,
      push_state = case when s.sending then 'sent' else p.push_state end
    from unnest(string_to_array(${csv(hosts.keys())}, ','), string_to_array(${csv([...hosts.values()].map(String))}, ',')::boolean[]) as s(id, sending)
    where p.id = s.id`;
}
const seen = batchedPer((db: Db) => batched(async (list: Seen[]) => {
  await db.execute(seenStatement(list));
  return list.map(() => undefined);
}));
const markSeen = (db: Db, peerId: string, sending = false) => seen(db, { peerId, sending });

/** Answers that arrive together are recorded in one statement (with "seen now": they came over the channel). */
const applied = batchedPer((db: Db) => batched(async (list: Parameters<typeof recordApplied>[1]) => {
  await recordApplied(db, list, new Date(), { overChannel: true });
  return list.map(() => undefined);
}));

/**
 * markSeen at the start of a poll, which also records the version the agent states it applied
 * (and persisted) when that is above what the host's row says, capped at the network's version:
 * else an answer lost on its way (the app restarted, the agent was killed between applying and
 * answering) left the host "behind" for good while it polls, up to date, for a change that
 * never comes. The host's own word, as its answer is; the applied version still only grows.
 * One statement for all the polls that arrive together: a reconnect costs no more.
 */
const markPolled = batchedPer((db: Db) => batched(async (list: { peerId: string; stated: number }[]) => {
  // Polls that arrive together (every agent re-polling after a change) are one statement.
  const stated = new Map<string, number>();
  for (const p of list) stated.set(p.peerId, Math.max(stated.get(p.peerId) ?? 0, p.stated));
  const v = sql`least(s.stated, n.config_version)`;
  const raised = sql`${v} > p.applied_version`;
  await db.execute(sql`
    update peers p set last_seen_at = now(), claimed_at = null,
      applied_version = greatest(p.applied_version, ${v}),
      applied_at = case when ${raised} then now() else p.applied_at end,
      push_state = case when ${raised} then 'applied' else p.push_state end,
      last_error = case when ${raised} then null else p.last_error end
    from networks n,
      unnest(string_to_array(${csv(stated.keys())}, ','), string_to_array(${csv([...stated.values()].map(String))}, ',')::bigint[]) as s(id, stated)
    where p.id = s.id and n.id = p.network_id`);
  return list.map(() => undefined);
}));

/*
 * The held polls, by network: one change wakes exactly its network's polls, and a poll that
 * ends alone (its time is up, the agent left) leaves in O(1). Thousands of polls as listeners
 * of the bus itself cost a scan of all of them at every poll's end: O(polls²) per change.
 */
const held = new Map<string, Set<() => void>>();
let listening = false;
let changesHeard = 0; // change notifications (and resyncs) this process has heard
function listen() {
  if (listening) return;
  listening = true;
  configBus.on('change', (id: string) => { changesHeard++; wakeHeld(id); });
  configBus.on('resync', () => { changesHeard++; wakeHeld(null); });
}
function wakeHeld(networkId: string | null) {
  const woken = networkId === null ? [...held.values()] : [held.get(networkId) ?? []];
  if (networkId === null) held.clear(); else held.delete(networkId);
  for (const set of woken) for (const wake of set) wake();
}

/** Resolves when this network changes (or the listener reconnected), or after `ms`. */
function changeOf(networkId: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      const set = held.get(networkId);
      if (set?.delete(done) && set.size === 0) held.delete(networkId);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    let set = held.get(networkId);
    if (!set) held.set(networkId, (set = new Set()));
    set.add(done);
    signal?.addEventListener('abort', done);
  });
}

/**
 * A host without an endpoint is dialled by nobody: the hosts it dials admit the address its
 * channel comes from (HostEntry.seenFrom). A new address is a new version for the network;
 * the same address again (every poll, every reconnect) costs nothing but this comparison.
 */
async function noteSeenFrom(db: Db, host: HostPrincipal, from: string | null | undefined) {
  if (!from || host.endpoint !== null || host.seenFrom === from) return;
  await changeNetwork(db, null, host.networkId, async (tx) => {
    const moved = await tx.update(peers).set({ seenFrom: from })
      .where(and(eq(peers.id, host.peerId), isNull(peers.endpoint), sql`${peers.seenFrom} is distinct from ${from}::inet`))
      .returning({ id: peers.id });
    return { result: undefined, unchanged: moved.length === 0 };
  });
}

/**
 * What a channel call answers: the envelope's bytes (200) or nothing new (204). `gzip`: the
 * bytes are gzip members (a large snapshot, compressed once for every host), which the caller
 * sends as they are to a client that accepts gzip.
 */
export type EnvelopeReply = { status: 200; body: Buffer; gzip: boolean } | { status: 204 };

/**
 * `from`: the caller's address as client-ip.ts reads it (the socket's, or a trusted proxy's
 * X-Forwarded-For). `answer`: the agent's answer to the envelope its previous poll got, carried
 * by this one; recorded first, exactly as `POST …/answer` records it (a malformed one is a 400
 * and nothing changes).
 */
export async function nextEnvelope(db: Db, authorization: string | null, afterText: string | null, opts: { holdMs?: number; signal?: AbortSignal; from?: string | null; answer?: unknown } = {}): Promise<EnvelopeReply> {
  const after = afterSchema.safeParse(afterText ?? '0');
  if (!after.success) throw invalid('after: the version the agent applied, a whole number ≥ 0', 'after');
  const answer = opts.answer === undefined ? null : parseAnswer(opts.answer);
  listen();
  let heard = changesHeard;
  let host = await authenticateHost(db, authorization);
  const recorded = answer ? await recordAnswer(db, host, answer) : null;
  await noteSeenFrom(db, host, opts.from);
  const deadline = Date.now() + (opts.holdMs ?? defaultHoldMs);
  // An applied answer for the version this poll states has recorded all that markPolled would
  // (seen, claim released, applied version): one row update per host per change, not two.
  if (!(recorded?.kind === 'applied' && (recorded.appliedVersion ?? 0) >= after.data)) await markPolled(db, { peerId: host.peerId, stated: after.data });
  for (;;) {
    // Listening first, then reading: a change committed in between is not missed. The version
    // read with the host's token is current unless a change was heard since that read began
    // (its commit may have come after the read): then it is read again, now that we listen.
    const changed = changeOf(host.networkId, Math.max(0, deadline - Date.now()), opts.signal);
    const version = changesHeard === heard ? host.networkVersion : await versionOf(db, host.networkId);
    const prepared = await envelopeFor(db, host.networkId, after.data, version);
    if (prepared) {
      await markSeen(db, host.peerId, true);
      const { chunks, gzip } = prepared.bodyFor(host.peerId);
      return { status: 200, body: Buffer.concat(chunks), gzip };
    }
    await changed;
    if (opts.signal?.aborted || Date.now() >= deadline) break;
    heard = changesHeard;
    host = await authenticateHost(db, authorization); // revoked while held: 401, nothing sent
  }
  await markSeen(db, host.peerId);
  return { status: 204 };
}

const answerSchema = z.object({
  version: z.number().int().min(1).refine(Number.isSafeInteger),
  status: z.number().int().min(100).max(599),
  body: z.unknown(),
});
type Answer = z.infer<typeof answerSchema>;

function parseAnswer(raw: unknown): Answer {
  const parsed = answerSchema.safeParse(raw);
  if (!parsed.success) throw invalid('Send {version, status, body}: the version received and the agent\'s answer to it.');
  return parsed.data;
}

/** The agent's answer to an envelope it got over the channel, judged as strictly as a push's. */
async function recordAnswer(db: Db, host: HostPrincipal, { version, status, body }: Answer): Promise<{ kind: string; appliedVersion?: number }> {
  const verdict = judgeAnswer(status, body, version);
  const health = verdict.kind === 'bad' ? null : healthOf(body);
  const now = new Date();
  if (verdict.kind === 'applied') {
    await applied(db, { id: host.peerId, token: new Date(0).toISOString(), appliedVersion: verdict.appliedVersion,
      lastHandshakeAt: verdict.lastHandshakeAt, rxBytes: verdict.rxBytes, txBytes: verdict.txBytes, health });
  } else {
    const error = verdict.kind === 'need_snapshot' ? `agent refused version ${version}: need_snapshot` : verdict.error;
    const applied = verdict.kind === 'refused' ? verdict.appliedVersion : null;
    await db.update(peers).set({
      pushState: 'failed', lastError: error.slice(0, 1000), lastPushedAt: now, lastSeenAt: now,
      appliedVersion: sql`greatest(${peers.appliedVersion}, ${applied ?? 0})`,
      ...(health ? { agentOk: health.ok, agentHealth: health.reason } : {}),
    }).where(eq(peers.id, host.peerId));
  }
  return { kind: verdict.kind, appliedVersion: verdict.kind === 'applied' ? verdict.appliedVersion : undefined };
}

/** `POST /api/agent/v1/answer`: an answer sent alone (agents before the answer rode on the poll). */
export async function recordChannelAnswer(db: Db, authorization: string | null, raw: unknown): Promise<{ recorded: string }> {
  const host = await authenticateHost(db, authorization);
  return { recorded: (await recordAnswer(db, host, parseAnswer(raw))).kind }; // which marks the host seen
}
