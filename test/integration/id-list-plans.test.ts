import { describe, expect, it } from 'vitest';
import { claimStatement } from '../../lib/server/delivery/claims';
import { seenStatement } from '../../lib/server/delivery/channel';
import { useTestDb } from './db';
import { genericPlan } from './generic-plan';

/*
 * Statements that take a list of ids as one parameter (lib/server/db/batch.ts csv) run
 * prepared, so after a few runs PostgreSQL may plan them once for any parameters (a generic
 * plan). Where the list is matched against every row, that plan must hash it once, not split
 * and search it for every row: the claim did, 6–11 s a claim of 500 in a 20,000-host round.
 */

const t = useTestDb();
const ids = (n: number) => Array.from({ length: n }, (_, i) => `pe-${String(i).padStart(12, '0')}`);

describe('generic plans of statements over a list of ids', () => {
  it('the claim excludes the hosts already tried through a hashed subquery', async () => {
    const now = new Date();
    const plan = await genericPlan(t.db, claimStatement({
      now, staleBefore: new Date(now.getTime() - 60_000), onlineSince: new Date(now.getTime() - 40_000), batch: 500, exclude: ids(50),
    }));
    expect(plan).toMatch(/NOT \(hashed SubPlan \d+\)/);
    expect(plan).not.toMatch(/ANY \(string_to_array/);
  });

  it('"seen now" over the channel joins its hosts as one list, not matched per row', async () => {
    const plan = await genericPlan(t.db, seenStatement(ids(50).map((peerId, i) => ({ peerId, sending: i % 2 === 0 }))));
    expect(plan).toMatch(/Function Scan on s/);
    expect(plan).not.toMatch(/ANY \(string_to_array/);
  });
});
