import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Db } from '../../lib/server/db/client';

/**
 * The plan PostgreSQL makes for `statement` once for any parameters (a generic plan), as a
 * prepared statement gets after a few runs: EXPLAIN's text, nothing executed.
 */
export async function genericPlan(db: Db, statement: SQL): Promise<string> {
  const { sql: text, params } = new PgDialect().sqlToQuery(statement);
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
    await tx.execute(sql.raw(`prepare generic_plan as ${text}`));
    // The values as literals: EXECUTE's arguments take the prepared statement's parameter types.
    const literals = params.map((p) => (p === null ? 'null' : typeof p === 'string' ? `'${p.replace(/'/g, "''")}'` : String(p)));
    const plan = await tx.execute(sql.raw(`explain execute generic_plan(${literals.join(', ')})`)) as unknown as { 'QUERY PLAN': string }[];
    await tx.execute(sql`deallocate generic_plan`);
    return plan.map((r) => r['QUERY PLAN']).join('\n');
  });
}
