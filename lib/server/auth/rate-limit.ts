import { sql, type SQL } from 'drizzle-orm';
import { rows, type Db } from '../db/client';

/**
 * Sign-in attempts are counted per (email, client IP) and per client IP, never per email
 * alone: failures from one address slow that address down and cannot lock the owner out
 * when they sign in from another. Past a free allowance each attempt pushes the next one
 * further off (30 s, 1 min, 2 min … at most 15 min) rather than refusing for a fixed time.
 */
export const signInLimits = {
  freePerPair: 10,
  freePerIp: 50,
  firstDelaySeconds: 30,
  maxDelaySeconds: 15 * 60,
  /** A key's count is forgotten this long after its next attempt was allowed. */
  forgetAfterSeconds: 3600,
};

/** Seconds the next attempt waits once `count` attempts are on the books (pure: the SQL below mirrors it). */
export function delayAfter(count: number, free: number): number {
  if (count < free) return 0;
  return Math.min(signInLimits.maxDelaySeconds, signInLimits.firstDelaySeconds * 2 ** Math.min(count - free, 20));
}

type Keys = { email: string; ip: string | null };

function keysOf({ email, ip }: Keys): { key: string; free: number }[] {
  const from = ip ?? 'unknown';
  return [{ key: `pair:${email} ${from}`, free: signInLimits.freePerPair }, { key: `ip:${from}`, free: signInLimits.freePerIp }];
}

function delaySql(count: SQL, free: number): SQL {
  const { firstDelaySeconds: first, maxDelaySeconds: max } = signInLimits;
  return sql`make_interval(secs => case when ${count} < ${free} then 0 else least(${max}, ${first} * power(2, least(${count} - ${free}, 20))) end)`;
}

/** Thrown inside the booking transaction to undo it (a class of ours: drizzle's own may be bundled twice). */
class Refused extends Error {}

export type Reservation = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Books one attempt on every key before the password is checked, in one transaction whose
 * upserts lock the keys' rows: concurrent attempts queue on those rows, so no more checks
 * than the allowance can run, however many arrive at once. A refused attempt books nothing.
 */
export async function reserveSignIn(db: Db, keys: Keys): Promise<Reservation> {
  const forget = sql`make_interval(secs => ${signInLimits.forgetAfterSeconds})`;
  // clock_timestamp, not now(): an upsert that waited for the row's lock compares against
  // the time it got it, not the time its transaction began.
  const stale = sql`a.next_allowed_at <= clock_timestamp() - ${forget}`;
  const next = sql`(case when ${stale} then 1 else a.count + 1 end)`;
  try {
    await db.transaction(async (tx) => {
      for (const { key, free } of keysOf(keys)) {
        const booked = await rows<{ count: number }>(tx, sql`
          insert into sign_in_attempts as a (key, window_start, count, next_allowed_at)
          values (${key}, clock_timestamp(), 1, clock_timestamp() + ${delaySql(sql`1`, free)})
          on conflict (key) do update set
            count = ${next},
            window_start = case when ${stale} then clock_timestamp() else a.window_start end,
            next_allowed_at = clock_timestamp() + ${delaySql(next, free)}
          where a.next_allowed_at <= clock_timestamp()
          returning count`);
        if (booked.length === 0) throw new Refused(); // rolls back: no key keeps a refused attempt
      }
    });
    return { allowed: true };
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    return { allowed: false, retryAfterSeconds: await retryAfter(db, keys) };
  }
}

/** Seconds until every key allows an attempt again (0 when they do now). */
export async function retryAfter(db: Db, keys: Keys): Promise<number> {
  const [row] = await rows<{ seconds: number | null }>(db, sql`
    select ceil(extract(epoch from max(next_allowed_at) - clock_timestamp()))::int as seconds from sign_in_attempts
    where key in (${sql.join(keysOf(keys).map((k) => sql`${k.key}`), sql`, `)})`);
  return Math.max(0, row?.seconds ?? 0);
}

/**
 * A right password: the (email, IP) count starts over, and the IP gets this attempt back,
 * so that people signing in from one office address never add up to a delay.
 */
export async function signInSucceeded(db: Db, keys: Keys) {
  const [pair, ip] = keysOf(keys);
  const less = sql`greatest(a.count - 1, 0)`;
  await db.transaction(async (tx) => {
    await tx.execute(sql`delete from sign_in_attempts where key = ${pair.key}`);
    await tx.execute(sql`
      update sign_in_attempts as a set count = ${less}, next_allowed_at = least(a.next_allowed_at, clock_timestamp() + ${delaySql(less, ip.free)})
      where key = ${ip.key}`);
  });
}

/** An administrator set a new password (CLI): that email's counts start over, from everywhere. */
export async function clearSignInAttempts(db: Db, email: string) {
  await db.execute(sql`delete from sign_in_attempts where key like ${`pair:${email.replace(/[\\%_]/g, '\\$&')} %`}`);
}
