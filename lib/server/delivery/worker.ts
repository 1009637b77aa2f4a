import type { Db } from '../db/client';
import { env } from '../env';
import { expireLeases } from '../firewall/leases';
import { claimDue, releaseClaims, type Claim } from './claims';
import { currentDocument, deltaFrom, snapshotOf, type Prepared } from './documents';
import { pushHost, type HostJob } from './push-host';
import { Recorder } from './recorder';
import { onlineWindowMs } from '../../core/delivery/liveness';
import { getSigningKey } from './signing-key';
import { releaseEphemeral } from '../join-keys/leave';

/*
 * One round of the push worker (DESIGN.md flow 3): expire leases, then claim due hosts in
 * batches and push each the network document it lacks, a batch at a time, until nothing is
 * due or the time budget is spent. Safe to run anywhere, any number of times at once.
 */

export type RoundOptions = {
  networkId?: string;
  now?: Date;
  batch?: number;
  concurrency?: number;
  timeoutMs?: number;
  /** "Push now": hosts waiting out a backoff are tried too. */
  ignoreBackoff?: boolean;
  /** A claim not renewed for this long belongs to a round that died (default 2 × timeout + 30 s). */
  claimTimeoutMs?: number;
  /** No new batch is claimed after this long (default 50 s): cron's next call carries on. */
  budgetMs?: number;
};

export type RoundResult = { claimed: number; applied: number; failed: number; leasesExpired: number; ephemeralReleased: number };

export async function runWorkerRound(db: Db, opts: RoundOptions = {}): Promise<RoundResult> {
  const e = env();
  const batch = opts.batch ?? e.MESHPLANE_PUSH_BATCH;
  const concurrency = opts.concurrency ?? e.MESHPLANE_PUSH_CONCURRENCY;
  const timeoutMs = opts.timeoutMs ?? e.MESHPLANE_PUSH_TIMEOUT_MS;
  const claimTimeoutMs = opts.claimTimeoutMs ?? 2 * timeoutMs + 30_000;
  const budgetMs = opts.budgetMs ?? 50_000;
  const clock = roundClock(opts.now);

  const leasesExpired = await expireLeases(db, clock());
  // Instances of ephemeral join keys offline too long go (lib/server/join-keys/leave.ts); their hosts are told in this round.
  const ephemeralReleased = opts.networkId ? 0 : await releaseEphemeral(db, e.MESHPLANE_EPHEMERAL_GRACE_MINUTES, clock());
  const { secretKey } = await getSigningKey(db);
  const result: RoundResult = { claimed: 0, applied: 0, failed: 0, leasesExpired, ephemeralReleased };
  const recorder = new Recorder(db, clock, claimTimeoutMs / 3);
  const tried = new Set<string>(); // a host is claimed at most once per round
  const started = Date.now();
  const claimNext = () => {
    const now = clock();
    const claiming = claimDue(db, {
      now, staleBefore: new Date(now.getTime() - claimTimeoutMs), onlineSince: new Date(now.getTime() - onlineWindowMs), batch,
      networkId: opts.networkId, ignoreBackoff: opts.ignoreBackoff, exclude: tried,
    });
    // Awaited only once the batch before it is pushed: a failure meanwhile (the database gone)
    // must not count as an unhandled rejection, which would end the process.
    claiming.catch(() => {});
    return claiming;
  };
  let upcoming: Promise<Claim[]> | null = claimNext();
  try {
    while (upcoming) {
      const claims = await upcoming;
      upcoming = null;
      if (claims.length === 0) break;
      recorder.hold(claims);
      for (const c of claims) tried.add(c.id);
      result.claimed += claims.length;
      const jobs = await planJobs(db, claims, secretKey, clock, recorder);
      // The next batch is claimed while this one is pushed, so that the pushes do not stop at
      // each batch to wait for the database (issue 19: a 20,000-host change, 40 batches of 500
      // over two processes: 5.2 → 4.6 s).
      if (claims.length === batch && Date.now() - started <= budgetMs) upcoming = claimNext();
      await pool(jobs, concurrency, async (job) => {
        const outcome = await pushHost(job, timeoutMs, e.MESHPLANE_AGENT_URL_ALLOW);
        if (outcome.kind === 'applied') result.applied++;
        else if (outcome.kind === 'failed') result.failed++;
        recorder.add(outcome);
      });
    }
  } finally {
    // A batch claimed ahead and never pushed (the round failed): its hosts are let go at once,
    // not left claimed until their claims go stale.
    const unused: Claim[] = upcoming ? await upcoming.catch(() => []) : [];
    if (unused.length > 0) await releaseClaims(db, unused.map((c) => ({ id: c.id, token: c.token })));
    await recorder.close();
  }
  return result;
}

/**
 * Per network: its current document once, then per host the delta from the version it
 * applied (signed once per distinct version; the old document is read only when the current
 * one holds no such delta yet) or, when that version is gone, the snapshot (signed once).
 */
async function planJobs(db: Db, claims: Claim[], key: Uint8Array, clock: () => Date, recorder: Recorder): Promise<HostJob[]> {
  const byNetwork = new Map<string, Claim[]>();
  for (const c of claims) {
    const list = byNetwork.get(c.networkId);
    if (list) list.push(c);
    else byNetwork.set(c.networkId, [c]);
  }
  const jobs: HostJob[] = [];
  for (const [networkId, list] of byNetwork) {
    try {
      const doc = await currentDocument(db, networkId, Math.max(...list.map((c) => c.knownVersion)), clock());
      if (!doc) { // the network was deleted meanwhile; its hosts went with it
        for (const c of list) recorder.add({ kind: 'released', id: c.id });
        continue;
      }
      const gone = new Set<number>(); // applied versions whose document is no longer stored
      const planned: HostJob[] = [];
      for (const c of list) {
        if (c.appliedVersion >= doc.state.version) {
          recorder.add({ kind: 'released', id: c.id });
          continue;
        }
        const v = c.appliedVersion;
        const delta = v > 0 && !gone.has(v) ? await deltaFrom(db, doc, v, key) : null;
        if (v > 0 && !delta) gone.add(v);
        const first: Prepared = delta ?? snapshotOf(doc, key);
        planned.push({ id: c.id, agentUrl: c.agentUrl, first, snapshot: () => snapshotOf(doc, key) });
      }
      jobs.push(...planned);
    } catch (e) {
      console.error(`push worker: cannot prepare network ${networkId}`, e);
      const error = 'the control plane could not prepare this network\'s document (its log says why)';
      for (const c of list) recorder.add({ kind: 'failed', id: c.id, state: 'failed', error, appliedVersion: null });
    }
  }
  return jobs;
}

/** Runs `work` over `items` with at most `n` at a time. */
async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
}

/** The round's time: the given start (tests move it) advanced by the real time elapsed. */
function roundClock(start?: Date): () => Date {
  const base = (start ?? new Date()).getTime();
  const t0 = performance.now();
  return () => new Date(base + Math.round(performance.now() - t0));
}
