import type { Db } from '../db/client';
import { type Applied, type Claim, type Failed, recordApplied, recordFailed, releaseClaims, renewClaims } from './claims';

/*
 * Writes a round's outcomes in batches (one statement per few hundred hosts, not one per
 * host) and keeps the round's claims alive while it works: a round with many slow agents
 * renews its claims, so only a round that died loses them. Writes and renewals share one
 * queue, so the token a result is recorded with is always the claim's current one.
 */

export type Outcome =
  | ({ kind: 'applied' } & Omit<Applied, 'token'>)
  | ({ kind: 'failed' } & Omit<Failed, 'token'>)
  | { kind: 'released'; id: string };

const flushAt = 250;

export class Recorder {
  private readonly held = new Map<string, string>(); // host id → current claim token
  private buffer: Outcome[] = [];
  private queue: Promise<void> = Promise.resolve();
  private error: unknown = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly db: Db, private readonly clock: () => Date, renewEveryMs: number) {
    this.timer = setInterval(() => this.enqueue(() => this.renew()), renewEveryMs);
    this.timer.unref();
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
    clearInterval(this.timer);
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
    await recordApplied(this.db, applied, now);
    await recordFailed(this.db, failed, now);
    await releaseClaims(this.db, released);
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
