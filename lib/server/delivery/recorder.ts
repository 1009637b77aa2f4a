import type { Db } from '../db/client';
import { type Applied, type Claim, type Failed, recordApplied, recordFailed, releaseClaims, renewClaims } from './claims';

/*
 * Writes a round's outcomes in batches (one statement per few hundred hosts, not one per
 * host) and keeps the round's claims alive while it works: a round with many slow agents
 * renews its claims, so only a round that died loses them. Writes and renewals share one
 * queue, so the token a result is recorded with is always the claim's current one.
 * No host can hold up or spoil another's record: what is buffered is written at least every
 * flushEveryMs (a slow agent does not keep the others unrecorded until the round ends), and
 * a batch whose statement fails is written again host by host, so only the host whose
 * outcome cannot be written is affected (it is then recorded as failed, or left to its claim's timeout).
 */

export type Outcome =
  | ({ kind: 'applied' } & Omit<Applied, 'token'>)
  | ({ kind: 'failed' } & Omit<Failed, 'token'>)
  | { kind: 'released'; id: string };

const flushAt = 250;
const flushEveryMs = 250;

export class Recorder {
  private readonly held = new Map<string, string>(); // host id → current claim token
  private buffer: Outcome[] = [];
  private queue: Promise<void> = Promise.resolve();
  private error: unknown = null;
  private readonly timers: NodeJS.Timeout[];

  constructor(private readonly db: Db, private readonly clock: () => Date, renewEveryMs: number) {
    this.timers = [setInterval(() => this.enqueue(() => this.renew()), renewEveryMs), setInterval(() => this.flush(), flushEveryMs)];
    for (const t of this.timers) t.unref();
  }

  hold(claims: Claim[]) {
    for (const c of claims) this.held.set(c.id, c.token);
  }

  add(outcome: Outcome) {
    this.buffer.push(outcome);
    if (this.buffer.length >= flushAt) this.flush();
  }

  /** Writes what is buffered; rethrows the first write error of the round. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.flush();
    await this.queue;
    if (this.error) throw this.error;
  }

  private flush() {
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length > 0) this.enqueue(() => this.write(batch));
  }

  private enqueue(work: () => Promise<void>) {
    this.queue = this.queue.then(work).catch((e: unknown) => {
      this.error ??= e;
      console.error('push worker: could not record outcomes', e);
    });
  }

  private async write(batch: Outcome[]) {
    const now = this.clock();
    const applied: Applied[] = [];
    const failed: Failed[] = [];
    const released: { id: string; token: string }[] = [];
    for (const o of batch) {
      const token = this.held.get(o.id);
      this.held.delete(o.id);
      // Lost claim (another round took it over): the applied version is still a fact worth
      // keeping; a failure or a release is the other round's business now.
      // ('epoch' is a timestamp no live claim has, so the claim itself is left alone.)
      if (o.kind === 'applied') applied.push({ ...withoutKind(o), token: token ?? 'epoch' });
      else if (token && o.kind === 'failed') failed.push({ ...withoutKind(o), token });
      else if (token) released.push({ id: o.id, token });
    }
    await this.each(applied, (list) => recordApplied(this.db, list, now), (a) => this.unrecordable(a.id, a.token, now));
    await this.each(failed, (list) => recordFailed(this.db, list, now), (f) => this.unrecordable(f.id, f.token, now));
    await this.each(released, (list) => releaseClaims(this.db, list), () => Promise.resolve());
  }

  /** The batch in one statement; if that fails, each host alone, so the others still land. */
  private async each<T extends { id: string }>(list: T[], write: (list: T[]) => Promise<void>, fallback: (item: T) => Promise<void>) {
    if (list.length === 0) return;
    try {
      return await write(list);
    } catch (e) {
      console.error(`push worker: ${list.length} outcome(s) could not be written${list.length > 1 ? '; writing them one by one' : ''}`, e);
    }
    for (const item of list) {
      try {
        if (list.length > 1) {
          await write([item]);
          continue;
        }
      } catch (e) {
        console.error(`push worker: the outcome of ${item.id} could not be written`, e);
      }
      await fallback(item).catch((e: unknown) => console.error(`push worker: ${item.id} stays claimed until its claim times out`, e));
    }
  }

  /** A host whose outcome cannot be written: failed with our own words, retried after the backoff. */
  private unrecordable(id: string, token: string, now: Date) {
    return recordFailed(this.db, [{ id, token, state: 'failed', error: 'the control plane could not record this push (its log says why)', appliedVersion: null }], now);
  }

  private async renew() {
    const byToken = new Map<string, string[]>();
    for (const [id, token] of this.held) {
      const ids = byToken.get(token);
      if (ids) ids.push(id);
      else byToken.set(token, [id]);
    }
    const now = this.clock();
    for (const [token, ids] of byToken) {
      const kept = new Set(await renewClaims(this.db, ids, token, now));
      for (const id of ids) {
        if (kept.has(id)) this.held.set(id, now.toISOString());
        else this.held.delete(id);
      }
    }
  }
}

function withoutKind<T extends { kind: string }>(o: T): Omit<T, 'kind'> {
  const { kind: _kind, ...rest } = o;
  return rest;
}
