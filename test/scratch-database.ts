/*
 * A scratch PostgreSQL database: `<prefix><random hex>` created empty on the server that
 * `adminUrl` names, and dropped (WITH (FORCE), PostgreSQL 13+, so that connections a crashed
 * process left behind do not keep it alive) by `drop()`, at most once. Used by the
 * integration tests' global setup, the root mesh test and the benchmark.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** The local server, when DATABASE_URL names none. */
export const defaultAdminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

export type ScratchDatabase = { name: string; url: string; drop: () => Promise<void> };

async function adminQuery(adminUrl: string, query: string) {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql.unsafe(query);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** `prefix` is kept as given (e.g. `meshplane_test_`); `bytes` random bytes, in hex, follow it. */
export async function createScratchDatabase(adminUrl: string, prefix: string, bytes = 6): Promise<ScratchDatabase> {
  const name = `${prefix}${randomBytes(bytes).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await adminQuery(adminUrl, `create database "${name}"`);
  let dropped = false;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await adminQuery(adminUrl, `drop database if exists "${name}" with (force)`);
    },
  };
}
