/**
 * Integration runs get a database of their own: `meshplane_test_<random>` on the server that
 * DATABASE_URL names (default: the local one), migrated once here, dropped at the end even
 * when tests failed. Tests read its URL with `inject('testDatabaseUrl')` (see ./db.ts);
 * TEST_DATABASE_URL and DATABASE_URL point at it too, so stray getDb() calls never touch the
 * server's own databases.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../lib/db/client';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string;
  }
}

const defaultAdminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

async function adminQuery(adminUrl: string, query: string) {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql.unsafe(query);
  } finally {
    await sql.end();
  }
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.DATABASE_URL || defaultAdminUrl;
  const name = `meshplane_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const testUrl = url.toString();

  try {
    await adminQuery(adminUrl, `create database "${name}"`);
  } catch (e) {
    throw new Error(`Cannot create the test database on ${url.host} (DATABASE_URL=${adminUrl}): ${(e as Error).message}`);
  }
  const drop = () => adminQuery(adminUrl, `drop database if exists "${name}" with (force)`);
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
