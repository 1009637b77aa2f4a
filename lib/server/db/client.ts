import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import * as schema from './schema';
import { env } from '../env';
import { lockDataDir, type DataDirLock, type LockHolder } from './data-dir-lock';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything queries can run on: the database or an open transaction. */
export type Queryable = Db | Tx;

/** `dump`: the embedded database's data directory as a gzipped tarball (backups); absent on PostgreSQL. */
export type Handle = { db: Db; close: () => Promise<void>; dump?: () => Promise<Buffer>; lock?: DataDirLock; listen?: Listen };

/**
 * LISTEN on `channel`: `onNotify` gets each payload; `onListen` runs once listening, and again
 * after postgres.js re-established its listening connection (notifications sent meanwhile are
 * lost: the caller catches up). Answers the unlisten.
 */
export type Listen = (channel: string, onNotify: (payload: string) => void, onListen?: () => void) => Promise<() => Promise<void>>;

const maxPreparedParameters = 32;
/** Connections per server process; /metrics reports them (named `meshplane` in pg_stat_activity). */
export const poolMax = 20;
const migrationsFolder = path.join(process.cwd(), 'drizzle');
const globalForDb = globalThis as unknown as { meshplaneDb?: Promise<Handle> };

async function openPostgres(url: string, migrated: boolean): Promise<Handle> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  if (!migrated) {
    // Replicas may start together: one migrates at a time.
    const migrator = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await migrator`select pg_advisory_lock(727272)`;
      await migrate(drizzle(migrator), { migrationsFolder });
    } finally {
      await migrator.end();
    }
  }
  const client = postgres(url, { max: poolMax, onnotice: () => {}, connection: { application_name: 'meshplane' } });
  // drizzle sends its queries unprepared, which postgres.js runs as two round trips (a
  // describe, then the query) that PostgreSQL parses and plans every time. Prepared, a
  // query is one round trip. Each connection keeps its statements for good, so bulk writes
  // (their text varies with the row count) stay unprepared.
  const unprepared = client.unsafe.bind(client);
  client.unsafe = ((query, parameters, options) =>
    unprepared(query, parameters, { ...options, prepare: (parameters?.length ?? 0) <= maxPreparedParameters })) as typeof client.unsafe;
  const listeners = new Set<ReturnType<typeof postgres>>();
  const listen: Listen = async (channel, onNotify, onListen) => {
    // A client of its own (postgres.js keeps one dedicated connection per client for its
    // LISTENs, re-made on loss), with a reconnect backoff of at most 1 s. The pool's default,
    // (3^retries)/100 s up to 20 s, counts every query that failed during an outage: after a
    // database restart the LISTEN came back 5–20 s late, and changes made meanwhile woke no one.
    for (let attempt = 1; ; attempt++) {
      const listener = postgres(url, {
        max: 1, onnotice: () => {}, connection: { application_name: 'meshplane' }, backoff: listenBackoff,
      });
      listeners.add(listener);
      try {
        const { unlisten } = await listener.listen(channel, (payload) => onNotify(payload), onListen);
        return async () => {
          await unlisten();
          listeners.delete(listener);
          await listener.end({ timeout: 5 });
        };
      } catch (e) {
        // The first LISTEN failed (the database went away just now): postgres.js would keep the
        // failed attempt for good, so a fresh client tries again, for about a minute.
        listeners.delete(listener);
        await listener.end({ timeout: 1 }).catch(() => {});
        if (attempt >= 60) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  const close = async () => {
    await Promise.all([...listeners].map((l) => l.end({ timeout: 5 })));
    await client.end();
  };
  return { db: drizzle(client, { schema }) as unknown as Db, close, listen };
}

/** Seconds before the listening connection is tried again after its `retries`-th failure in a row. */
export const listenBackoff = (retries: number) => Math.min(0.1 * 2 ** retries, 1);

/**
 * PGlite's PostgreSQL runs inside the server's process, in WebAssembly memory that never
 * shrinks: what its buffers once touched stays resident (of the module's 128 MB minimum heap,
 * about 40 MB are touched at 1,000 hosts). A control plane's data is a few MB per thousand
 * hosts: 8 MB of buffers holds a 1,000-host network, and beyond it pages come from the
 * operating system's cache (issue 19: 452 → 230–250 MB RSS at 1,000 hosts, with 128 MB, then
 * 16 MB, then 8 MB). MESHPLANE_PGLITE_SHARED_BUFFERS overrides it (a PostgreSQL size, e.g. 64MB).
 */
function pgliteMemory(defaults: string[]) {
  const buffers = process.env.MESHPLANE_PGLITE_SHARED_BUFFERS || '8MB';
  return { startParams: [...defaults, '-c', `shared_buffers=${buffers}`, '-c', 'temp_buffers=4MB'] };
}

/** The embedded database's directory inside the data dir. */
export const pgliteDirOf = (dataDir: string) => path.resolve(dataDir, 'pglite');

async function openPglite(dataDir: string, kind: LockHolder['kind']): Promise<Handle> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const dir = pgliteDirOf(dataDir);
  mkdirSync(dataDir, { recursive: true });
  // Before PGlite touches a file: a second process must change nothing (data-dir-lock.ts).
  const lock = lockDataDir(path.resolve(dataDir), kind);
  try {
    mkdirSync(dir, { recursive: true });
    const client = new PGlite(dir, pgliteMemory(PGlite.defaultStartParams));
    const db = drizzle(client, { schema });
    await migrate(db, { migrationsFolder });
    const close = async () => {
      try { await client.close(); } finally { lock.release(); }
    };
    // Inside a transaction, so that no other transaction is half-way (PGlite runs one at a
    // time); the checkpoint makes the copy start without replaying WAL.
    const dump = () => client.transaction(async (tx) => {
      await tx.exec('checkpoint');
      return Buffer.from(await (await client.dumpDataDir('gzip')).arrayBuffer());
    });
    // PGlite delivers notifications in-process, at commit (STACK-NOTES).
    const listen: Listen = async (channel, onNotify, onListen) => {
      const unlisten = await client.listen(channel, onNotify);
      onListen?.();
      return unlisten;
    };
    return { db: db as unknown as Db, close, dump, lock, listen };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/**
 * `migrated`: the caller knows the migrations have run (a cluster's primary ran them).
 * `kind`: who opens the embedded database, named to a second process that it refuses.
 */
export function openDatabase(url: string | undefined, options: { migrated?: boolean; kind?: LockHolder['kind']; dataDir?: string } = {}): Promise<Handle> {
  return url ? openPostgres(url, options.migrated ?? false) : openPglite(options.dataDir ?? env().MESHPLANE_DATA_DIR, options.kind ?? 'server');
}

/** host:port/database of a PostgreSQL URL, for messages: never the user or password. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || 5432}${u.pathname === '/' ? '' : decodeURIComponent(u.pathname)}`;
  } catch {
    return 'the database of DATABASE_URL';
  }
}

/** The process's database, opened and migrated on first use; a failed open is retried next time. */
export async function getDb(): Promise<Db> {
  return (await getHandle()).db;
}

/** The process's database handle (getDb's), for what needs more than queries: backups, closing. */
export function getHandle(): Promise<Handle> {
  if (!globalForDb.meshplaneDb) {
    const opening = openDatabase(env().DATABASE_URL);
    globalForDb.meshplaneDb = opening;
    opening.catch(() => { if (globalForDb.meshplaneDb === opening) globalForDb.meshplaneDb = undefined; });
  }
  return globalForDb.meshplaneDb;
}

/** Points the process at a database opened elsewhere: a test's own, or a cluster process's (server.ts). */
export function setDb(handle: Handle | undefined) {
  globalForDb.meshplaneDb = handle ? Promise.resolve(handle) : undefined;
}

export async function ping(db: Db) {
  await db.execute(sql`select 1`);
}

/** Raw SQL rows, whichever driver is underneath (postgres.js gives an array, PGlite `{ rows }`). */
export async function rows<T>(db: Queryable, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}
