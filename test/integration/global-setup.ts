/**
 * Integration runs get a database of their own: `meshplane_test_<random>` on the server that
 * DATABASE_URL names (default: the local one), migrated once here, dropped at the end even
 * when tests failed. Tests read its URL with `inject('testDatabaseUrl')` (see ./db.ts);
 * TEST_DATABASE_URL and DATABASE_URL point at it too, so stray getDb() calls never touch the
 * server's own databases.
 */
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../lib/server/db/client';
import { createScratchDatabase, defaultAdminUrl, type ScratchDatabase } from '../scratch-database';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.DATABASE_URL || defaultAdminUrl;
  const host = new URL(adminUrl).host;

  let database: ScratchDatabase;
  try {
    database = await createScratchDatabase(adminUrl, 'meshplane_test_');
  } catch (e) {
    throw new Error(`Cannot create the test database on ${host} (DATABASE_URL=${adminUrl}): ${(e as Error).message}`);
  }
  const { url: testUrl, drop } = database;
  try {
    const handle = await openDatabase(testUrl); // runs the migrations
    await handle.close();
  } catch (e) {
    await drop();
    throw e;
  }

  const saved = { DATABASE_URL: process.env.DATABASE_URL, TEST_DATABASE_URL: process.env.TEST_DATABASE_URL };
  process.env.DATABASE_URL = testUrl;
  process.env.TEST_DATABASE_URL = testUrl;
  project.provide('testDatabaseUrl', testUrl);

  return async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await drop();
  };
}
