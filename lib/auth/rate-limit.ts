import { sql } from 'drizzle-orm';
import { rows, type Db } from '../db/client';

export const signInLimits = { perEmail: 10, perIp: 50, windowSeconds: 15 * 60 };

type Row = { key: string; count: number };
type Keys = { email: string; ip: string | null };

const keysOf = (keys: Keys) => [`email:${keys.email}`, ...(keys.ip ? [`ip:${keys.ip}`] : [])];

/** True when any key has used up its failures in the current window. */
export async function isRateLimited(db: Db, keys: Keys): Promise<boolean> {
  const wanted = keysOf(keys);
  const list = await rows<Row>(db, sql`
    select key, count from sign_in_attempts
    where key in (${sql.join(wanted.map((k) => sql`${k}`), sql`, `)}) and window_start > now() - make_interval(secs => ${signInLimits.windowSeconds})`);
  return list.some((r) => r.count >= (r.key.startsWith('email:') ? signInLimits.perEmail : signInLimits.perIp));
}

export async function recordFailure(db: Db, keys: Keys) {
  for (const key of keysOf(keys)) {
    await db.execute(sql`
      insert into sign_in_attempts (key, window_start, count) values (${key}, now(), 1)
      on conflict (key) do update set
        count = case when sign_in_attempts.window_start <= now() - make_interval(secs => ${signInLimits.windowSeconds}) then 1 else sign_in_attempts.count + 1 end,
        window_start = case when sign_in_attempts.window_start <= now() - make_interval(secs => ${signInLimits.windowSeconds}) then now() else sign_in_attempts.window_start end`);
  }
}

export async function clearFailures(db: Db, email: string) {
  await db.execute(sql`delete from sign_in_attempts where key = ${`email:${email}`}`);
}
