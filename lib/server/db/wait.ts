import { unreachableCode } from '../errors';
import { describeDatabase, type Handle } from './client';

/*
 * At start, a PostgreSQL that is not up yet (a container starting beside the app, a failover)
 * is waited for, with a line per attempt naming it (host:port/database, never the password),
 * rather than the process exiting on a bare ECONNREFUSED. Anything else (a wrong password, no
 * such database) will not mend by waiting: that stops the start, named the same way.
 */

export class DatabaseStartError extends Error {}

/** The error's own words, with the URL's password cut out should a driver ever repeat it. */
function reasonOf(error: unknown, url: string): string {
  let e = error as { message?: string; cause?: unknown };
  while (e?.cause && typeof e.cause === 'object' && !e.message) e = e.cause as typeof e;
  const text = e?.message || String(error);
  let password = '';
  try { password = decodeURIComponent(new URL(url).password); } catch { /* no password */ }
  return password ? text.split(password).join('***') : text;
}

export async function openWhenReachable(
  url: string,
  open: () => Promise<Handle>,
  options: { log?: (line: string) => void; maxDelayMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<Handle> {
  const { log = (line) => console.error(line), maxDelayMs = 30_000, sleep = (ms) => new Promise((r) => setTimeout(r, ms)) } = options;
  const name = describeDatabase(url);
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open();
      if (attempt > 0) log(`database ${name} is reachable`);
      return handle;
    } catch (e) {
      const code = unreachableCode(e);
      if (!code) throw new DatabaseStartError(`cannot use the database ${name}: ${reasonOf(e, url)}`);
      const delay = Math.min(1000 * 2 ** Math.min(attempt, 10), maxDelayMs);
      log(`database ${name} is not reachable (${code}: ${reasonOf(e, url)}); retrying in ${delay / 1000} s`);
      await sleep(delay);
    }
  }
}
