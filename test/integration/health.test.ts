import { afterAll, expect, inject, it } from 'vitest';
import { openDatabase, setDb, type Db } from '../../lib/server/db/client';
import { healthRoute, readiness } from '../../lib/server/health';
import { createScratchDatabase } from '../scratch-database';
import { useTestDb } from './db';

const t = useTestDb();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

it('/api/health answers without the database', async () => {
  setDb({ db: { execute: () => { throw new Error('must not be called'); } } as unknown as Db, close: async () => {} });
  try {
    const res = healthRoute();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  } finally {
    setDb({ db: t.db, close: async () => {} });
  }
});

it('/api/ready: 200 on a migrated database', async () => {
  expect(await readiness()).toEqual({ status: 200, body: { status: 'ok' } });
});

it('/api/ready: 503 on a database without this build\'s migrations, then 200 once they ran', async () => {
  const admin = new URL(inject('testDatabaseUrl'));
  admin.pathname = '/postgres'; // the server the run's database is on
  const scratch = await createScratchDatabase(admin.toString(), 'meshplane_test_ready_');
  cleanups.push(scratch.drop);
  const bare = await openDatabase(scratch.url, { migrated: true });
  cleanups.push(bare.close);
  setDb(bare);
  try {
    const answer = await readiness();
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/migrations/) } });
    const migrated = await openDatabase(scratch.url); // runs them
    await migrated.close();
    expect((await readiness()).status).toBe(200);
  } finally {
    setDb({ db: t.db, close: async () => {} });
  }
});

it('/api/ready: 503 within its time limit when the database does not answer', async () => {
  setDb({ db: { execute: () => new Promise(() => {}) } as unknown as Db, close: async () => {} });
  try {
    const started = Date.now();
    const answer = await readiness(300);
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/did not answer/) } });
    expect(Date.now() - started).toBeLessThan(2000);
  } finally {
    setDb({ db: t.db, close: async () => {} });
  }
});
