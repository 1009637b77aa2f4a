import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import * as schema from './schema';
import { env } from '../env';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything queries can run on: the database or an open transaction. */
export type Queryable = Db | Tx;

type Handle = { db: Db; close: () => Promise<void> };

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
  return { db: drizzle(client, { schema }) as unknown as Db, close: () => client.end() };
}

async function openPglite(dataDir: string): Promise<Handle> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const dir = path.resolve(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir);
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder });
  return { db: db as unknown as Db, close: () => client.close() };
}

/** `migrated`: the caller knows the migrations have run (a cluster's primary ran them). */
export function openDatabase(url: string | undefined, options: { migrated?: boolean } = {}): Promise<Handle> {
  return url ? openPostgres(url, options.migrated ?? false) : openPglite(env().MESHPLANE_DATA_DIR);
}

/** The process's database, opened and migrated on first use; a failed open is retried next time. */
export async function getDb(): Promise<Db> {
  if (!globalForDb.meshplaneDb) {
    const opening = openDatabase(env().DATABASE_URL);
    globalForDb.meshplaneDb = opening;
    opening.catch(() => { if (globalForDb.meshplaneDb === opening) globalForDb.meshplaneDb = undefined; });
  }
  return (await globalForDb.meshplaneDb).db;
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
