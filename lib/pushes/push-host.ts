import type { Outcome } from './recorder';
import { DeliveryError, postToAgent, type AgentAnswer } from './deliver';
import type { Prepared } from './documents';
import { failureReason, pushFailures, pushSeconds } from '../metrics/process-metrics';

/*
 * One host's push: the delta from what it applied (or the snapshot), a snapshot when the
 * agent asks for one, and the answer turned into an outcome. A `stale` answer means the
 * agent already runs this version or newer (a retry after a lost answer, or a round that
 * died after pushing): recorded as applied, never pushed again.
 */

export type HostJob = { id: string; url: string; first: Prepared; snapshot: () => Prepared };

export async function pushHost(job: HostJob, timeoutMs: number): Promise<Outcome> {
  const started = performance.now();
  const outcome = await attempt(job, timeoutMs);
  const seconds = (performance.now() - started) / 1000;
  if (outcome.kind === 'applied') pushSeconds.observe({ outcome: 'applied' }, seconds);
  if (outcome.kind === 'failed') {
    pushSeconds.observe({ outcome: outcome.state }, seconds);
    pushFailures.inc({ reason: failureReason(outcome.error) });
  }
  return outcome;
}

async function attempt(job: HostJob, timeoutMs: number): Promise<Outcome> {
  let prepared = job.first;
  try {
    let answer = await postToAgent(job.url, prepared.bodyFor(job.id), timeoutMs);
    if (answer.status === 409 && errorCode(answer) === 'need_snapshot' && prepared.kind === 'delta') {
      prepared = job.snapshot();
      answer = await postToAgent(job.url, prepared.bodyFor(job.id), timeoutMs);
    }
    return outcomeOf(job.id, prepared.version, answer);
  } catch (e) {
    const error = e instanceof DeliveryError ? e.message : `could not push: ${e instanceof Error ? e.message : String(e)}`;
    return { kind: 'failed', id: job.id, state: 'pending', error, appliedVersion: null };
  }
}

function outcomeOf(id: string, version: number, answer: AgentAnswer): Outcome {
  const applied = typeof answer.body?.appliedVersion === 'number' ? answer.body.appliedVersion : null;
  if (answer.status === 200 && applied !== null) return { kind: 'applied', id, appliedVersion: applied, ...figures(answer.body!) };
  if (answer.status === 409 && errorCode(answer) === 'stale' && applied !== null && applied >= version) {
    return { kind: 'applied', id, appliedVersion: applied, lastHandshakeAt: null, rxBytes: null, txBytes: null };
  }
  const err = answer.body?.error as { code?: unknown; message?: unknown } | undefined;
  const error = err && typeof err.code === 'string'
    ? `agent refused version ${version}: ${err.code}${typeof err.message === 'string' ? `: ${err.message}` : ''}`
    : `agent answered HTTP ${answer.status} without a readable answer`;
  // Only an apply_failed answer is known to speak of this network's versions (a wrong_target
  // agent may be at version 500 of another one), so only it may raise what we record.
  return { kind: 'failed', id, state: 'failed', error, appliedVersion: err?.code === 'apply_failed' ? applied : null };
}

const errorCode = (a: AgentAnswer) => (a.body?.error as { code?: unknown } | undefined)?.code;

/**
 * The host's WireGuard figures: the totals over all its peers that the agent sends with every
 * applied answer (agent/apply.ts). Without them (the agent could not read `wg show`) there
 * are none: no handshake, no bytes.
 */
function figures(body: Record<string, unknown>) {
  const { latestHandshake, rxBytes, txBytes } = (body.totals ?? {}) as Record<string, unknown>;
  const at = typeof latestHandshake === 'string' ? new Date(latestHandshake) : null;
  return {
    lastHandshakeAt: at && !Number.isNaN(at.getTime()) ? at : null,
    rxBytes: Number.isSafeInteger(rxBytes) ? rxBytes as number : 0,
    txBytes: Number.isSafeInteger(txBytes) ? txBytes as number : 0,
  };
}
