/*
 * The benchmark's own database, `meshplane_bench_<random>`, on DATABASE_URL's server:
 * created empty here, migrated by lib/server/db/client.ts openDatabase(), dropped at the end
 * (test/scratch-database.ts, shared with the integration tests).
 */
import { createScratchDatabase, type ScratchDatabase } from '../test/scratch-database';

export { defaultAdminUrl } from '../test/scratch-database';

export type BenchDatabase = ScratchDatabase;

export function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  return createScratchDatabase(adminUrl, 'meshplane_bench_', 5);
}
