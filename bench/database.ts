/*
 * The benchmark's own database, `meshplane_bench_<random>`, on DATABASE_URL's server:
 * created empty here, migrated by lib/db/client.ts openDatabase(), dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

export const defaultAdminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

export type BenchDatabase = { name: string; url: string; drop: () => Promise<void> };

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `meshplane_bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      const again = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
      try {
        // WITH (FORCE) (PostgreSQL 13+) ends connections a crashed child may have left behind.
        await again.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await again.end({ timeout: 5 });
      }
    },
  };
}
