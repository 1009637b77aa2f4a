/*
 * The built app (bench/build.ts), started the way production starts it (`npm start`):
 * `NODE_ENV=production node dist/server/server.mjs`, on 127.0.0.1 and a port of 3500–3599, in
 * its own process group so that stopping it stops nothing else. `nodeArgs` go before the
 * script (e.g. --cpu-prof).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';
import { serverBundle } from './build';
import { sleep, waitFor } from './stats';

export type AppServer = { url: string; pid: number; stop: () => Promise<void>; logFile: string };

// Every server started and not yet stopped, including one still starting: the benchmark's
// cleanup (a time limit, Ctrl-C) stops them all, so none is left behind holding a port.
const running = new Set<() => Promise<void>>();
export const stopAllAppServers = () => Promise.all([...running].map((stop) => stop()));

export async function startAppServer(opts: { root: string; port: number; env: Record<string, string>; logFile: string; nodeArgs?: string[]; unset?: string[] }): Promise<AppServer> {
  const log = openSync(opts.logFile, 'a');
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(opts.port), NEXT_TELEMETRY_DISABLED: '1' };
  for (const name of opts.unset ?? []) delete env[name]; // e.g. DATABASE_URL: the embedded database
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), serverBundle], {
    cwd: opts.root,
    env,
    stdio: ['ignore', log, log],
    detached: true, // its own process group: stop() signals exactly this server
  });
  closeSync(log);
  const url = `http://127.0.0.1:${opts.port}`;
  let exited = false;
  child.once('exit', () => { exited = true; });
  const stop = async () => {
    running.delete(stop);
    if (exited || child.pid === undefined) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
    for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    if (!exited) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  running.add(stop);
  try {
    await waitFor('the app server to answer /sign-in', 90_000, async () => {
      if (exited) throw new Error('exited');
      const res = await fetch(`${url}/sign-in`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      return res.status === 200;
    }, 300);
  } catch (e) {
    await stop();
    const tail = readFileSync(opts.logFile, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(`the app server did not start (${(e as Error).message}); its log ends with:\n${tail}`);
  }
  return { url, pid: child.pid!, stop, logFile: opts.logFile };
}
