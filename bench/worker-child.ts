/*
 * The push worker, in a process of its own so that its memory is its own: rounds run
 * in-process through lib/server/delivery/worker.ts runWorkerRound (what POST /api/worker and the
 * dev timer call), and "compute and sign" through the same document functions the round
 * uses (lib/server/delivery/documents.ts). Peak memory is the process's resident set: sampled from
 * process.memoryUsage.rss() every 20 ms (each reading is a read of /proc: at 5 ms, and with
 * memoryUsage()'s heap statistics, the sampling took 2–3 % of a round's CPU), and the kernel's high-water mark (VmHWM in /proc/self/status, reset through
 * /proc/self/clear_refs before each measured round).
 * Run as a child of bench/run.ts (IPC).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../lib/server/db/client';
import { networks } from '../lib/server/db/schema';
import { runWorkerRound } from '../lib/server/delivery/worker';
import { currentDocument, deltaOf, forgetDocuments, olderDocument, snapshotOf } from '../lib/server/delivery/documents';
import { getSigningKey } from '../lib/server/delivery/signing-key';
import { serveParent } from './ipc';

let db: Db;
const epochNow = () => performance.timeOrigin + performance.now();

function highWaterMark(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function resetHighWaterMark(): boolean {
  try { writeFileSync('/proc/self/clear_refs', '5'); return true; } catch { return false; }
}

async function versionOf(networkId: string): Promise<number> {
  const [row] = await db.select({ v: networks.configVersion }).from(networks).where(eq(networks.id, networkId));
  return row.v;
}

/** Without `networkId`: a round over every network, as the timer and POST /api/worker run it. */
type RoundArgs = { networkId?: string; batch: number; cold?: boolean; timeoutMs?: number };

async function round(args: RoundArgs) {
  if (args.cold) forgetDocuments();
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage.rss();
  const reset = resetHighWaterMark();
  let sampled = rssBefore;
  const sampler = setInterval(() => { sampled = Math.max(sampled, process.memoryUsage.rss()); }, 20);
  const cpu0 = process.cpuUsage();
  const startedAt = epochNow();
  const t0 = performance.now();
  const result = await runWorkerRound(db, { networkId: args.networkId, batch: args.batch, timeoutMs: args.timeoutMs });
  const ms = performance.now() - t0;
  const endedAt = epochNow();
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  sampled = Math.max(sampled, process.memoryUsage.rss());
  const hwm = reset ? highWaterMark() : NaN;
  return { ms, startedAt, endedAt, result, rssBefore, cpuMs: (cpu.user + cpu.system) / 1000, peakRss: Number.isFinite(hwm) ? Math.max(hwm, sampled) : sampled, sampledPeakRss: sampled, hwm };
}

serveParent({
  async init(args: { databaseUrl: string }) {
    db = (await openDatabase(args.databaseUrl)).db;
    const key = await getSigningKey(db);
    return { signingPublicKey: key.publicKeyBase64, pid: process.pid };
  },
  round,
  /** One change's "compute and sign": the new document, its delta from the version hosts run, the snapshot for new hosts. */
  async compute(args: { networkId: string }) {
    const { secretKey } = await getSigningKey(db);
    const version = await versionOf(args.networkId);
    const t0 = performance.now();
    const doc = await currentDocument(db, args.networkId, version, new Date());
    const t1 = performance.now();
    const prev = await olderDocument(db, args.networkId, version - 1);
    const t2 = performance.now();
    if (!doc || !prev) throw new Error(`no document for version ${version} or ${version - 1}`);
    const delta = deltaOf(prev, doc, secretKey);
    const t3 = performance.now();
    const snapshot = snapshotOf(doc, secretKey);
    const t4 = performance.now();
    const deltaBytes = delta.bodyFor('pe-000000000000').chunks.reduce((n, c) => n + c.length, 0);
    const snapshotBytes = snapshot.bodyFor('pe-000000000000').chunks.reduce((n, c) => n + c.length, 0);
    return {
      version, ms: t4 - t0, buildMs: t1 - t0, previousMs: t2 - t1, deltaMs: t3 - t2, snapshotMs: t4 - t3,
      hosts: doc.state.hosts.length, deltaBytes, snapshotBytes,
    };
  },
});
