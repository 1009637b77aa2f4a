import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { rows, type Queryable } from './client';
import { FreshRuns } from './fresh-runs';

/*
 * A read cache that is never stale: an entry is reused only while PostgreSQL's snapshot is
 * exactly the one it was read under (pg_current_snapshot: no transaction that writes has
 * started or ended since, anywhere in the cluster), so it answers exactly what the query
 * would. It pays off when many clients poll a database that is not changing (hosts and
 * dashboards watching a quiet network). Under writes it misses, but requests that miss together
 * share their loads, and a value given a version check (its rows' versions) is kept while
 * those rows are unchanged.
 *
 * Inside a transaction that has written, the snapshot does not show its own uncommitted
 * rows, so such a caller neither reads nor fills the cache.
 */
type Reading = { snapshot: string; clean: boolean };

function readSnapshot(db: Queryable): Promise<Reading> {
  return rows<Reading>(db, sql`select pg_current_snapshot()::text as snapshot, pg_current_xact_id_if_assigned() is null as clean`)
    .then(([reading]) => reading);
}

/*
 * Concurrent requests share a reading taken after they all asked (FreshRuns): under load, one
 * query for a whole burst of requests instead of one each (issue 19). A transaction reads its
 * own: its snapshot and whether it has written are its own.
 */
const freshReadings = new FreshRuns<Queryable, Reading>();
const isTransaction = (db: Queryable) => db instanceof PgTransaction;
function readingOf(db: Queryable): Promise<Reading> {
  return isTransaction(db) ? readSnapshot(db) : freshReadings.run(db, () => readSnapshot(db));
}

const sharedReading = new AsyncLocalStorage<{ reading?: Promise<Reading> }>();

/**
 * Runs a request that reads only (an API GET): its cached reads (the token, the caller's role,
 * the page) share one snapshot reading, taken at the first of them. A value is still never
 * older than the snapshot it is filed or found under; the request as a whole answers as of
 * that one snapshot.
 */
export function readingOnce<T>(run: () => Promise<T>): Promise<T> {
  return sharedReading.run({}, run);
}

type Entry<T> = { snapshot: string; version?: string; value: Promise<T>; weight: number };

export class SnapshotCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly loads = new FreshRuns<string, T>();
  private totalWeight = 0;

  /**
   * `sharedReadingOnly`: for lookups as cheap as the snapshot reading itself (one indexed row),
   * which only pay off when a request's reading is shared (readingOnce); elsewhere they query.
   */
  constructor(private readonly limits: { maxEntries: number; maxWeight: number; sharedReadingOnly?: boolean }) {}

  /**
   * `version`, when given, answers a fingerprint of the rows the value is read from (their
   * versions, xmin): on a miss it is read first, and when it is the one the kept value was read
   * under, that value is still exact and is kept under the new snapshot too, unread. Under writes
   * elsewhere (push results, handshakes) a large value then costs one small query, not a load.
   */
  async get(db: Queryable, key: string, load: () => Promise<T>, weigh: (value: T) => number = () => 1, version?: () => Promise<string>): Promise<T> {
    const shared = sharedReading.getStore();
    if (!shared && this.limits.sharedReadingOnly) return load();
    const { snapshot, clean } = await (shared ? (shared.reading ??= readingOf(db)) : readingOf(db));
    if (!clean) return load();
    const hit = this.entries.get(key);
    if (hit?.snapshot === snapshot) {
      this.touch(key, hit);
      return hit.value;
    }
    const fill = () => this.fill(key, snapshot, load, weigh, version);
    if (isTransaction(db)) return fill();
    // Under writes every request has a snapshot of its own and misses: one load per key at a
    // time, shared by the requests that arrived during the one before (FreshRuns). Filed under
    // the snapshot of the request that queued it: the load starts after that reading.
    return this.loads.run(key, fill);
  }

  private async fill(key: string, snapshot: string, load: () => Promise<T>, weigh: (value: T) => number, version?: () => Promise<string>): Promise<T> {
    const found = this.entries.get(key);
    if (found?.snapshot === snapshot) return found.value;
    // Read after the snapshot, and the load after it: if the kept value's rows are the same
    // versions now as when it was read, nothing it was read from changed in between.
    const current = version ? await version() : undefined;
    const kept = this.entries.get(key);
    if (current !== undefined && kept?.version === current) {
      kept.snapshot = snapshot;
      this.touch(key, kept);
      return kept.value;
    }
    // Filed before it is read, so that requests arriving meanwhile under the same snapshot
    // share this one load. Read after the snapshot: if something commits in between, the
    // value is newer than the snapshot it is filed under, and no later request can have
    // that old snapshot.
    const entry: Entry<T> = { snapshot, version: current, value: load(), weight: 0 };
    this.drop(key);
    this.entries.set(key, entry);
    try {
      const value = await entry.value;
      if (this.entries.get(key) === entry) this.weighIn(key, entry, weigh(value));
      return value;
    } catch (error) {
      if (this.entries.get(key) === entry) this.drop(key);
      throw error;
    }
  }

  /** Map order is recency order: a hit moves to the end. */
  private touch(key: string, entry: Entry<T>) {
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  get size() {
    return this.entries.size;
  }

  private weighIn(key: string, entry: Entry<T>, weight: number) {
    if (weight > this.limits.maxWeight) {
      this.drop(key);
      return;
    }
    entry.weight = weight;
    this.totalWeight += weight;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.limits.maxEntries && this.totalWeight <= this.limits.maxWeight) break;
      this.drop(oldest);
    }
  }

  private drop(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalWeight -= entry.weight;
  }
}
