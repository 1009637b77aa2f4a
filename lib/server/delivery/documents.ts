import { gzipSync } from 'node:zlib';
import { storedGzipMember } from './gzip-member';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { networkDocuments } from '../db/schema';
import { diffStates } from '../../core/protocol/diff';
import type { Message } from '../../core/protocol/messages';
import type { NetworkState } from '../../core/protocol/network-state';
import { signPayloadNative } from './native-sign';
import { buildNetworkState } from './network-state';

/*
 * Signed network documents. One snapshot per version and one delta per (from, to) pair are
 * signed and compressed once and then sent to every host that needs them, so a round costs
 * work in proportion to the hosts, not hosts squared. Versions are kept in the database
 * (network_documents) so deltas survive restarts and work across replicas; a small
 * in-process cache in front saves re-reading and re-signing within and between rounds.
 */

/** One signed message, ready to send: the envelope's shared head, compressed when large. */
export type Prepared = { kind: 'snapshot' | 'delta'; version: number; bodyFor: (target: string) => { chunks: Buffer[]; gzip: boolean } };
export type Doc = { state: NetworkState; snapshot?: Prepared; deltas: Map<number, Prepared> };

const keepNewest = 32; // hosts further behind than this many pushed versions get a snapshot
const gzipAbove = 16 << 10;
const cacheSize = 8;
const cache = new Map<string, Doc>(); // insertion order = recency

const keyOf = (networkId: string, version: number) => `${networkId}@${version}`;

/*
 * Callers asking for the same thing at once share one read, build or diff: after a change (or
 * a restart) every held long-poll of the network asks together, and without this each would
 * read, build or diff the same document itself — work in hosts × document size.
 */
const inFlight = new Map<string, Promise<unknown>>();
function once<T>(key: string, work: () => Promise<T>): Promise<T> {
  let p = inFlight.get(key) as Promise<T> | undefined;
  if (!p) {
    p = work().finally(() => inFlight.delete(key));
    inFlight.set(key, p);
  }
  return p;
}

function remember(doc: Doc): Doc {
  const key = keyOf(doc.state.networkId, doc.state.version);
  cache.delete(key);
  cache.set(key, doc);
  while (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  return doc;
}

/** The stored document of exactly this version, read and parsed, or null when it is gone. */
function readDocument(db: Db, networkId: string, version: number): Promise<Doc | null> {
  return once(`read:${keyOf(networkId, version)}`, () => readStored(db, networkId, version));
}

async function readStored(db: Db, networkId: string, version: number): Promise<Doc | null> {
  const [row] = await db.select({ state: networkDocuments.state }).from(networkDocuments)
    .where(and(eq(networkDocuments.networkId, networkId), eq(networkDocuments.version, version)));
  return row ? { state: JSON.parse(row.state) as NetworkState, deltas: new Map() } : null;
}

/** The cached (or stored, then cached) document of exactly this version, or null when it is gone. */
async function documentAt(db: Db, networkId: string, version: number): Promise<Doc | null> {
  const hit = cache.get(keyOf(networkId, version));
  if (hit) return remember(hit);
  const doc = await readDocument(db, networkId, version);
  return doc ? remember(doc) : null;
}

/**
 * An older version's document, to diff from: the cached one if there, else read from the
 * database and NOT cached, so that hosts lagging at many versions cannot evict the current
 * document (with its signed snapshot and deltas) from the small cache. Null when it is gone.
 */
export async function olderDocument(db: Db, networkId: string, version: number): Promise<Doc | null> {
  return cache.get(keyOf(networkId, version)) ?? readDocument(db, networkId, version);
}

/**
 * The delta from `fromVersion` to `to`: the one `to` already holds, else prepared (and kept
 * in `to`) from the older document. Null when that version is gone: the host needs the snapshot.
 */
export async function deltaFrom(db: Db, to: Doc, fromVersion: number, secretKey: Uint8Array): Promise<Prepared | null> {
  const ready = to.deltas.get(fromVersion);
  if (ready) return ready;
  return once(`delta:${keyOf(to.state.networkId, to.state.version)}<${fromVersion}`, async () => {
    const from = await olderDocument(db, to.state.networkId, fromVersion);
    return from ? deltaOf(from, to, secretKey) : null;
  });
}

/**
 * The document at the network's current version: `known` is the version the caller saw (a
 * cache hit costs nothing); otherwise built from the database and stored. When another
 * round stored the same version first, its copy is used, so every replica sends the same.
 */
export function currentDocument(db: Db, networkId: string, known: number, now: Date): Promise<Doc | null> {
  const hit = cache.get(keyOf(networkId, known));
  if (hit) return Promise.resolve(remember(hit));
  // Joiners get the document of the version current when the first asked: ≥ `known`, as theirs would be.
  return once(`current:${keyOf(networkId, known)}`, () => buildCurrent(db, networkId, known, now));
}

async function buildCurrent(db: Db, networkId: string, known: number, now: Date): Promise<Doc | null> {
  const existing = await documentAt(db, networkId, known);
  if (existing) return existing;
  const state = await buildNetworkState(db, networkId, now);
  if (!state) return null;
  const inserted = await db.insert(networkDocuments).values({ networkId, version: state.version, state: JSON.stringify(state) })
    .onConflictDoNothing().returning({ version: networkDocuments.version });
  if (inserted.length === 0) return documentAt(db, networkId, state.version);
  await prune(db, networkId, state.version);
  return remember({ state, deltas: new Map() });
}

/** Drops versions no host can still be at, and all but the newest few. */
async function prune(db: Db, networkId: string, current: number) {
  await db.execute(sql`
    delete from network_documents d where d.network_id = ${networkId} and d.version < ${current} and (
      d.version < (select coalesce(min(p.applied_version), 0) from peers p where p.network_id = ${networkId} and p.host_token_hash is not null)
      or d.version <= (select version from network_documents where network_id = ${networkId} order by version desc offset ${keepNewest} limit 1))`);
}

export function snapshotOf(doc: Doc, secretKey: Uint8Array): Prepared {
  const { state } = doc;
  doc.snapshot ??= prepare({ type: 'snapshot', networkId: state.networkId, version: state.version, state }, secretKey);
  return doc.snapshot;
}

export function deltaOf(from: Doc, to: Doc, secretKey: Uint8Array): Prepared {
  let prepared = to.deltas.get(from.state.version);
  if (!prepared) {
    prepared = prepare(diffStates(from.state, to.state), secretKey);
    to.deltas.set(from.state.version, prepared);
  }
  return prepared;
}

/**
 * Signs once; each host's body is the shared head plus its own `target`. Compressed bodies
 * are two gzip members (the shared head, compressed once, then the tiny tail, stored), which
 * gunzip reads as one stream: a 2 MB snapshot is compressed once per version, not per host.
 */
function prepare(message: Message, secretKey: Uint8Array): Prepared {
  const { payload, signature } = signPayloadNative(message, secretKey);
  const head = Buffer.from(`{"payload":"${payload}","signature":"${signature}","target":"`, 'utf8');
  const gzip = head.length > gzipAbove;
  const shared = gzip ? gzipSync(head) : head;
  return {
    kind: message.type,
    version: message.version,
    bodyFor: (target) => {
      const tail = Buffer.from(`${JSON.stringify(target).slice(1, -1)}"}`, 'utf8');
      return { chunks: [shared, gzip ? storedGzipMember(tail) : tail], gzip };
    },
  };
}

/** Tests and the benchmark start from a cold process. */
export function forgetDocuments() {
  cache.clear();
}
