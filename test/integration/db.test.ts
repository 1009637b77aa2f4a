import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { is, sql, TransactionRollbackError } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import * as schema from '../../lib/server/db/schema';
import { getDb, rows } from '../../lib/server/db/client';
import { newId } from '../../lib/core/ids';
import { pgConstraint, pgErrorCode } from '../../lib/server/errors';
import { useTestDb } from './db';
import { makeUser, principalOf, testPassword } from './factories';
import { checkCredentials } from '../../lib/server/users/users';

const t = useTestDb();

describe('the test database', () => {
  it('has every migration applied and every table of the schema', async () => {
    const journal = JSON.parse(readFileSync(path.join(process.cwd(), 'drizzle/meta/_journal.json'), 'utf8'));
    const applied = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect(applied[0].n).toBe(journal.entries.length);

    const expected = Object.values(schema).filter((v) => is(v, PgTable)).map((table) => getTableConfig(table).name).sort();
    const present = await rows<{ name: string }>(
      t.db,
      sql`select table_name as name from information_schema.tables where table_schema = 'public'`,
    );
    expect(expected.length).toBeGreaterThan(5);
    expect(present.map((r) => r.name)).toEqual(expect.arrayContaining(expected));
  });

  it('is what getDb() returns while the file runs', async () => {
    expect(await getDb()).toBe(t.db);
    const [{ name }] = await rows<{ name: string }>(t.db, sql`select current_database() as name`);
    expect(name).toMatch(/^meshplane_test_[0-9a-f]+$/);
  });

  it('refuses a network that overlaps another (exclusion constraint)', async () => {
    // Other files share the database and keep their networks: take two /16s nobody holds
    // (like 10.64.0.0/16 and 10.65.0.0/16), inside a transaction rolled back at the end.
    const outcome = await t.db
      .transaction(async (tx) => {
        const free = await rows<{ second: number }>(tx, sql`
          select g as second from generate_series(64, 127) g
          where not exists (select 1 from networks n where n.cidr && ('10.' || g || '.0.0/16')::inet)
          order by g limit 2`);
        expect(free).toHaveLength(2);
        const [wide, beside] = free.map((f) => f.second);
        const projectId = newId('project');
        await tx.insert(schema.projects).values({ id: projectId, name: 'overlap check' });
        const network = (label: string, cidr: string) => ({ id: newId('network'), projectId, label, cidr });
        await tx.insert(schema.networks).values(network('wide', `10.${wide}.0.0/16`));

        let error: unknown;
        await tx.transaction(async (sp) => {
          await sp.insert(schema.networks).values(network('inside', `10.${wide}.5.0/24`));
        }).catch((e) => { error = e; });
        expect(pgErrorCode(error)).toBe('23P01');
        expect(pgConstraint(error)).toBe('networks_cidr_no_overlap');

        await tx.insert(schema.networks).values(network('beside', `10.${beside}.0.0/16`));
        tx.rollback();
      })
      .catch((e) => e);
    expect(outcome).toBeInstanceOf(TransactionRollbackError);
  });
});

describe('factories', () => {
  it('makes users with unique emails who can sign in', async () => {
    const a = await makeUser(t.db);
    const b = await makeUser(t.db, { name: 'Bea' });
    expect(a.email).not.toBe(b.email);
    expect(b.name).toBe('Bea');
    expect(principalOf(a)).toEqual({ userId: a.id, email: a.email });
    expect((await checkCredentials(t.db, a.email, testPassword))?.id).toBe(a.id);
  });
});
