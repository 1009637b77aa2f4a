import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { afterAll, beforeAll, inject } from 'vitest';
import * as schema from '../../lib/server/db/schema';
import { openDatabase, setDb, type Db } from '../../lib/server/db/client';

/**
 * The run's test database (created and migrated by global-setup.ts) for one test file:
 * opened before its tests, made the process's database (so code calling getDb() uses it),
 * closed after. Call at the top of a file and read `.db` inside tests and hooks:
 *
 *   const t = useTestDb();
 *   it('…', async () => { const user = await makeUser(t.db); … });
 */
export function useTestDb(): { readonly db: Db } {
  let handle: Awaited<ReturnType<typeof openDatabase>> | undefined;
  beforeAll(async () => {
    handle = await openDatabase(inject('testDatabaseUrl'));
    setDb(handle);
  });
  afterAll(async () => {
    setDb(undefined);
    await handle?.close();
    handle = undefined;
  });
  return {
    get db() {
      if (!handle) throw new Error('useTestDb(): the database opens in beforeAll; read .db inside a test or hook');
      return handle.db;
    },
  };
}

/**
 * A client of its own on the test database, bypassing openDatabase (no migrations, no
 * setDb): drizzle over postgres-js with `max` connections (default 1). `onQuery` is called
 * with the text of every query sent, to count them at the driver. The caller closes it.
 */
export function rawTestDb(opts: { max?: number; onQuery?: (query: string) => void } = {}): { db: Db; close: () => Promise<void> } {
  const { max = 1, onQuery } = opts;
  const client = postgres(inject('testDatabaseUrl'), {
    max,
    onnotice: () => {},
    ...(onQuery ? { debug: (_connection: number, query: string) => onQuery(query) } : {}),
  });
  return { db: drizzle(client, { schema }) as unknown as Db, close: () => client.end() };
}
