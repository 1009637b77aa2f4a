/**
 * The database restarted (issue 13, faults): the process's LISTEN, on which every wake-up of
 * delivery hangs, is back within about a second of PostgreSQL accepting connections again,
 * however long it was down and however many queries failed meanwhile. The cluster is the
 * test's own (private-pg.ts), stopped and started for real; nothing is stubbed.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, expect, it } from 'vitest';
import { listenBackoff, openDatabase, type Handle } from '../../lib/server/db/client';
import { startPrivateCluster, type PrivateCluster } from './private-pg';

let cluster: PrivateCluster | undefined;
let handle: Handle | undefined;
afterAll(async () => {
  await handle?.close().catch(() => {});
  cluster?.remove();
});

it('the listening connection is re-made within ~1 s of the database coming back, and the catch-up runs', async () => {
  expect([1, 2, 3, 4, 10, 50].map(listenBackoff)).toEqual([0.2, 0.4, 0.8, 1, 1, 1]);
  cluster = startPrivateCluster(55432);
  handle = await openDatabase(cluster.url); // migrates, as the app does
  const got: string[] = [];
  let listens = 0;
  await handle.listen!('faults_wake', (p) => got.push(p), () => { listens++; });
  expect(listens).toBe(1);

  cluster.stop('fast');
  // Down for 6 s while the app keeps failing queries (agents' polls, API calls), as in production.
  const until = Date.now() + 6_000;
  let failedQueries = 0;
  while (Date.now() < until) {
    await handle.db.execute(sql`select 1`).catch(() => { failedQueries++; });
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(failedQueries).toBeGreaterThan(0);
  cluster.start();
  const back = Date.now();

  // A change right after the restart: notified every 100 ms until this process hears one.
  const notifier = postgres(cluster.url, { max: 1, onnotice: () => {} });
  try {
    for (let i = 0; got.length === 0 && Date.now() - back < 25_000; i++) {
      await notifier`select pg_notify('faults_wake', ${String(i)})`.catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await notifier.end({ timeout: 1 });
  }
  const heardMs = Date.now() - back;
  console.log(`database back → first notification heard in ${heardMs} ms (${failedQueries} queries failed during the outage)`);
  expect(got.length).toBeGreaterThan(0);
  expect(heardMs).toBeLessThan(2_000);
  expect(listens).toBe(2); // onListen again: startDelivery's catch-up for what was missed
}, 60_000);
