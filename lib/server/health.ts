import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { getDb, rows } from './db/client';
import { errorAnswer, pgErrorCode, unreachableCode } from './errors';

/*
 * For load balancers and orchestrators, outside the user gate and cheap: /api/health says the
 * process is up (no database access: a liveness probe must not fail because the database
 * does); /api/ready says it can serve: the database answers and has every migration this
 * build ships (one query on drizzle's small migrations table), within a short time.
 */

const readyTimeoutMs = 2000;
const noStore = { 'cache-control': 'no-store' };

// GET /api/health: the process is up
export function healthRoute(): Response {
  return Response.json({ status: 'ok' }, { headers: noStore });
}

let newestMigration: number | undefined;
function newestMigrationOfBuild(): number {
  if (newestMigration === undefined) {
    const journal = JSON.parse(readFileSync(path.join(process.cwd(), 'drizzle/meta/_journal.json'), 'utf8')) as { entries: { when: number }[] };
    newestMigration = Math.max(...journal.entries.map((e) => e.when));
  }
  return newestMigration;
}

class NotReady extends Error {}

const notMigrated = () => new NotReady('The database lacks migrations of this build; they run when a server starts.');

async function check(): Promise<void> {
  const db = await getDb();
  const [row] = await rows<{ newest: string | number | null }>(db, sql`select max(created_at) as newest from drizzle.__drizzle_migrations`)
    .catch((e) => { throw ['42P01', '3F000'].includes(pgErrorCode(e) ?? '') ? notMigrated() : e; }); // no migrations table, or no schema
  if (Number(row?.newest ?? 0) < newestMigrationOfBuild()) throw notMigrated();
}

/** 200 `{status: "ok"}`, or 503 with the API's error shape saying why not. */
export async function readiness(timeoutMs = readyTimeoutMs): Promise<{ status: number; body: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NotReady(`The database did not answer within ${timeoutMs / 1000} s.`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { status: 200, body: { status: 'ok' } };
  } catch (e) {
    if (e instanceof NotReady) return { status: 503, body: { error: { code: 'unavailable', message: e.message } } };
    if (unreachableCode(e)) return errorAnswer(e);
    console.error('readiness check failed', e);
    return { status: 503, body: { error: { code: 'unavailable', message: 'The database check failed (see the server log).' } } };
  } finally {
    clearTimeout(timer);
  }
}

// GET /api/ready: the database is reachable and migrated
export async function readyRoute(): Promise<Response> {
  const { status, body } = await readiness();
  return Response.json(body, { status, headers: noStore });
}
