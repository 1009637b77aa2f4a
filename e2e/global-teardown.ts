/** Drops the run's database and data dir (runs before Playwright stops the server, hence FORCE). */
import { rmSync } from 'node:fs';
import postgres from 'postgres';

export default async function globalTeardown() {
  const { E2E_ADMIN_URL, E2E_DATABASE_NAME, E2E_DATA_DIR } = process.env;
  if (E2E_ADMIN_URL && E2E_DATABASE_NAME?.startsWith('meshplane_e2e_')) {
    const sql = postgres(E2E_ADMIN_URL, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`drop database if exists "${E2E_DATABASE_NAME}" with (force)`);
    } finally {
      await sql.end();
    }
  }
  if (E2E_DATA_DIR) rmSync(E2E_DATA_DIR, { recursive: true, force: true });
}
