import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { claimStatement } from '../../lib/server/delivery/claims';
import { useTestDb } from './db';

/*
 * A push round claims batch after batch, excluding every host it has already tried. The claim
 * runs as a prepared statement, so after a few runs PostgreSQL may plan it once for any
 * parameters (a generic plan): that plan must hash the excluded ids once, not search the list
 * for every row (which cost 6–11 s a claim in a 20,000-host round).
 */

const t = useTestDb();

describe('the claim statement', () => {
  it('excludes the hosts already tried through a hashed subquery, even in a generic plan', async () => {
    const now = new Date();
    const statement = claimStatement({
      now, staleBefore: new Date(now.getTime() - 60_000), onlineSince: new Date(now.getTime() - 40_000), batch: 500,
      exclude: Array.from({ length: 50 }, (_, i) => `pe-${String(i).padStart(12, '0')}`),
    });
    const { sql: text, params } = new PgDialect().sqlToQuery(statement);
    const plan = await t.db.transaction(async (tx) => {
      await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
      await tx.execute(sql.raw(`prepare claim_plan as ${text}`));
      // The values as literals: EXECUTE's arguments take the prepared statement's parameter types.
      const literals = params.map((p) => (p === null ? 'null' : typeof p === 'string' ? `'${p.replace(/'/g, "''")}'` : String(p)));
      const explained = await tx.execute(sql.raw(`explain execute claim_plan(${literals.join(', ')})`)) as unknown as { 'QUERY PLAN': string }[];
      await tx.execute(sql`deallocate claim_plan`);
      return explained;
    });
    const lines = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(lines).toMatch(/NOT \(hashed SubPlan \d+\)/);
    expect(lines).not.toMatch(/ANY \(string_to_array/);
  });
});
