/**
 * A worker round in a process of its own, for the test that kills the app mid-round:
 * DATABASE_URL names the database, ROUND_OPTIONS (JSON) the round's options. Prints
 * the round's result when it finishes (the test kills it before).
 */
import { openDatabase } from '../../lib/server/db/client';
import { runWorkerRound } from '../../lib/server/delivery/worker';

const handle = await openDatabase(process.env.DATABASE_URL);
const result = await runWorkerRound(handle.db, JSON.parse(process.env.ROUND_OPTIONS ?? '{}'));
console.log(JSON.stringify(result));
await handle.close();
