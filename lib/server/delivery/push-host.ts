import { agentHealthSchema } from '../../core/protocol/messages';
import type { AgentHealthRecord } from './claims';
import type { Outcome } from './recorder';
import type { Cidr } from '../../core/delivery/agent-address';
import { judgeAnswer } from '../../core/delivery/answer';
import { resolveAgentTarget } from './agent-target';
import { BadAnswerError, DeliveryError, postToAgent } from './deliver';
import type { Prepared } from './documents';
import { failureReason, pushFailures, pushSeconds } from '../metrics/process-metrics';

/*
 * One host's push: its agentUrl resolved and checked (at every push: a name may move), the
 * delta from what it applied (or the snapshot), a snapshot when the agent asks for one, and
 * the answer judged strictly (answer.ts) into this host's outcome. A `stale` answer means the
 * agent already runs this version (a retry after a lost answer, or a round that died after
 * pushing): recorded as applied, never pushed again. Whatever the agent does, the outcome is
 * this host's alone.
 */

export type HostJob = { id: string; agentUrl: string; first: Prepared; snapshot: () => Prepared };

export async function pushHost(job: HostJob, timeoutMs: number, allow: readonly Cidr[]): Promise<Outcome> {
  const started = performance.now();
  const outcome = await attempt(job, timeoutMs, allow);
  const seconds = (performance.now() - started) / 1000;
  if (outcome.kind === 'applied') pushSeconds.observe({ outcome: 'applied' }, seconds);
  if (outcome.kind === 'failed') {
    pushSeconds.observe({ outcome: outcome.state }, seconds);
    pushFailures.inc({ reason: failureReason(outcome.error) });
  }
  return outcome;
}

async function attempt(job: HostJob, timeoutMs: number, allow: readonly Cidr[]): Promise<Outcome> {
  const resolved = await resolveAgentTarget(pushUrl(job.agentUrl), allow);
  if (!resolved.ok) return { kind: 'failed', id: job.id, state: 'failed', error: resolved.error, appliedVersion: null, health: null };
  let prepared = job.first;
  try {
    let answer = await postToAgent(resolved.target, prepared.bodyFor(job.id), timeoutMs);
    let verdict = judgeAnswer(answer.status, answer.body, prepared.version);
    if (verdict.kind === 'need_snapshot' && prepared.kind === 'delta') {
      prepared = job.snapshot();
      answer = await postToAgent(resolved.target, prepared.bodyFor(job.id), timeoutMs);
      verdict = judgeAnswer(answer.status, answer.body, prepared.version);
    }
    // A bad answer's health is not believed either: nothing it said is recorded.
    const health = verdict.kind === 'bad' ? null : healthOf(answer.body);
    switch (verdict.kind) {
      case 'applied': return { ...verdict, id: job.id, health };
      case 'need_snapshot': return { kind: 'failed', id: job.id, state: 'failed', error: `agent refused version ${prepared.version}: need_snapshot`, appliedVersion: null, health };
      case 'refused': return { kind: 'failed', id: job.id, state: 'failed', error: verdict.error, appliedVersion: verdict.appliedVersion, health };
      case 'bad': return { kind: 'failed', id: job.id, state: 'failed', error: verdict.error, appliedVersion: null, health };
    }
  } catch (e) {
    // No answer (down, timed out, unreachable): pending, retried with backoff.
    const error = e instanceof DeliveryError ? e.message : 'could not push';
    if (!(e instanceof DeliveryError)) console.error(`push worker: pushing to ${job.id} failed`, e);
    return { kind: 'failed', id: job.id, state: e instanceof BadAnswerError ? 'failed' : 'pending', error, appliedVersion: null, health: null };
  }
}

/** The agent's health in its answer (docs/agent-protocol.md), if it sent a readable one. */
export function healthOf(body: unknown): AgentHealthRecord | null {
  const h = agentHealthSchema.safeParse((body as { health?: unknown } | null | undefined)?.health);
  if (!h.success) return null;
  const r = h.data.lastRepair;
  const at = r ? new Date(r.at) : null;
  return {
    ok: h.data.ok, reason: h.data.ok ? null : (h.data.reason ?? 'unhealthy').slice(0, 1000),
    repairAt: at && !Number.isNaN(at.getTime()) ? at : null,
    repair: r ? `${r.ok ? '' : 'could not repair: '}${r.found.join('; ')}`.slice(0, 1000) : null,
  };
}

/** Where an agent takes pushes: its agentUrl's path + /push. */
export const pushUrl = (agentUrl: string) => `${agentUrl.replace(/\/+$/, '')}/push`;
