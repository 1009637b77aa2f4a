import { describe, expect, it } from 'vitest';
import { errorAnswer, unreachableCode } from '@/lib/server/errors';
import { describeDatabase, type Handle } from '@/lib/server/db/client';
import { DatabaseStartError, openWhenReachable } from '@/lib/server/db/wait';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111 });
// drizzle wraps a driver's error: the code is on its cause.
const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: select 1'), { cause });

describe('a database that cannot be reached', () => {
  it('is told from other errors, however wrapped', () => {
    expect(unreachableCode(refused())).toBe('ECONNREFUSED');
    expect(unreachableCode(wrapped(refused()))).toBe('ECONNREFUSED');
    expect(unreachableCode(wrapped(Object.assign(new Error('write CONNECT_TIMEOUT'), { code: 'CONNECT_TIMEOUT' })))).toBe('CONNECT_TIMEOUT');
    expect(unreachableCode(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe('57P03');
    expect(unreachableCode(Object.assign(new Error('connection failure'), { code: '08006' }))).toBe('08006');
    expect(unreachableCode(new AggregateError([refused()]))).toBe('ECONNREFUSED');
    expect(unreachableCode(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
    expect(unreachableCode(new Error('no code'))).toBeUndefined();
    // An agent that refuses a push is not the database.
    expect(unreachableCode(new TypeError('fetch failed', { cause: refused() }))).toBeUndefined();
  });

  it('is answered 503 unavailable by the API, anything else unknown 500', () => {
    expect(errorAnswer(wrapped(refused()))).toEqual({ status: 503, body: { error: { code: 'unavailable', message: expect.stringMatching(/database/) } } });
    expect(errorAnswer(new Error('bug')).status).toBe(500);
  });

  it('is named host:port/database, never with its user or password', () => {
    expect(describeDatabase('postgres://admin:s3cret@db.example.com:6543/meshplane?sslmode=require')).toBe('db.example.com:6543/meshplane');
    expect(describeDatabase('postgresql://db/app')).toBe('db:5432/app');
  });

  it('is waited for at start, with a line naming it per attempt, until it answers', async () => {
    const url = 'postgres://u:pw-secret@127.0.0.1:5999/mp';
    const lines: string[] = [];
    const sleeps: number[] = [];
    let attempts = 0;
    const handle = { db: {} } as Handle;
    const opened = await openWhenReachable(url, async () => {
      if (++attempts < 4) throw wrapped(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999 pw-secret'), { code: 'ECONNREFUSED' }));
      return handle;
    }, { log: (l) => lines.push(l), sleep: async (ms) => { sleeps.push(ms); } });
    expect(opened).toBe(handle);
    expect(sleeps).toEqual([1000, 2000, 4000]);
    expect(lines[0]).toMatch(/^database 127\.0\.0\.1:5999\/mp is not reachable \(ECONNREFUSED: .*\); retrying in 1 s$/);
    expect(lines.at(-1)).toBe('database 127.0.0.1:5999/mp is reachable');
    expect(lines.join('\n')).not.toContain('pw-secret');
  });

  it('stops the start, naming the database, on an error that waiting will not mend', async () => {
    const fail = openWhenReachable('postgres://u:pw@h:5432/nope', async () => {
      throw Object.assign(new Error('database "nope" does not exist'), { code: '3D000' });
    }, { log: () => {}, sleep: async () => {} });
    await expect(fail).rejects.toThrow(DatabaseStartError);
    await expect(fail).rejects.toThrow('cannot use the database h:5432/nope: database "nope" does not exist');
  });
});
