/*
 * Small helpers shared by the benchmark's parts: timing, percentiles, formatting, free ports,
 * CPU readings from /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { sql } from 'drizzle-orm';
import type { Db } from '../lib/server/db/client';

export const now = () => performance.now();

/** Nearest-rank percentile of a list of numbers (p in 0–100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const median = (values: number[]) => percentile(values, 50);

export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  return `${value.toFixed(1)} ms`;
}

/** Decimal units, as the targets are written (1.5 GB = 1.5e9 bytes). */
export function mb(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(0)} MB` : `${(bytes / 1e3).toFixed(0)} kB`;
}

/** The first port of [from, to] nobody listens on at 127.0.0.1. */
export async function freePort(from: number, to: number, avoid: number[] = []): Promise<number> {
  for (let port = from; port <= to; port++) {
    if (avoid.includes(port)) continue;
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${from}–${to}`);
}

export const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

/** Runs `work` until it answers true, at most `timeoutMs`; throws `what` on timeout. */
export async function waitFor(what: string, timeoutMs: number, work: () => Promise<boolean>, everyMs = 250) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await work().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** CPU time (user + system, ms) each of these processes has used so far, from /proc/<pid>/stat. */
export function cpuByPid(pids: number[]): Map<number, number> {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) * tick);
    } catch { /* gone */ }
  }
  return out;
}

/** The process and all its descendants (the app server's cluster processes), from /proc. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch { /* gone */ }
  }
  const tree: number[] = [];
  for (let queue = [root]; queue.length;) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue = [...queue, ...(children.get(pid) ?? [])];
  }
  return tree;
}

/** CPU used between two readings; a process that appeared meanwhile counts from zero. */
export function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, t] of after) total += t - (before.get(pid) ?? 0);
  return total;
}

/**
 * CPU used so far (ms, by pid) by the app server's processes, this database's PostgreSQL
 * backends and the given stub processes: read before and after a change, then `cpuSince`.
 */
export async function cpuOfParts(db: Db, appPid: number, stubPids: number[]) {
  const backends = await db.execute(sql`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`) as unknown as { pid: number }[];
  return { app: cpuByPid(processTree(appPid)), pg: cpuByPid(backends.map((b) => b.pid)), stubs: cpuByPid(stubPids) };
}
