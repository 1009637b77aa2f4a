/*
 * How far a network's latest change has got (issue 13, item 6): "version N: applied by X of Y
 * hosts, in Z s", and which hosts are still behind for a reason worth showing. Pure: the
 * server read (lib/server/delivery/convergence-read.ts) gathers the figures, the page and the API
 * show what this makes of them.
 */

/** Behind for longer than this after the change, a host that can be reached is flagged. */
export const lagAfterMs = 10_000;

/** An enrolled host still behind the network's version, as the read found it. */
export type BehindHost = {
  peerId: string; name: string; appliedVersion: number;
  online: boolean; direct: boolean; // connected over its channel now; has an agentUrl to push to
  pushState: string; lastError: string | null; agentOk: boolean | null; agentHealth: string | null;
};

export type ConvergenceInput = {
  version: number;
  raisedAt: Date | null; // when `version` was raised (network_versions); null once pruned
  total: number; // enrolled hosts
  applied: number; // of those, the ones at `version` or above
  lastAppliedAt: Date | null; // the latest time one of them reached `version`
  behind: BehindHost[]; // some or all of those behind
};

export type Lagging = { peerId: string; name: string; appliedVersion: number; reason: string };

export type Convergence = {
  version: number; applied: number; total: number; complete: boolean;
  /** Seconds from the change to the last host applying it (complete), or so far (not complete); null when unknown. */
  seconds: number | null;
  raisedAt: string | null;
  /** Behind and not connected: they catch up when they reconnect. */
  offline: number;
  /** Reachable (online, or pushed directly), behind for more than 10 s: each with its reason. */
  lagging: Lagging[];
};

export function summarizeConvergence(input: ConvergenceInput, now: Date): Convergence {
  const complete = input.applied >= input.total;
  const raised = input.raisedAt?.getTime() ?? null;
  const end = complete ? input.lastAppliedAt?.getTime() ?? null : now.getTime();
  const seconds = raised !== null && end !== null ? Math.max(0, Math.round((end - raised) / 100) / 10) : null;
  const late = raised !== null && now.getTime() - raised > lagAfterMs;
  const lagging = complete || !late ? [] : input.behind
    .filter((h) => h.appliedVersion < input.version && (h.online || h.direct))
    .map((h) => ({ peerId: h.peerId, name: h.name, appliedVersion: h.appliedVersion, reason: reasonOf(h) }));
  const offline = input.behind.filter((h) => h.appliedVersion < input.version && !h.online && !h.direct).length;
  return {
    version: input.version, applied: input.applied, total: input.total, complete, seconds,
    raisedAt: input.raisedAt?.toISOString() ?? null, offline, lagging,
  };
}

/** Why a reachable host is still behind, in the words its row would use. */
export function reasonOf(h: BehindHost): string {
  if (h.lastError) return h.lastError;
  if (h.agentOk === false) return `agent unhealthy: ${h.agentHealth ?? 'no reason given'}`;
  if (h.pushState === 'sent') return h.online ? 'sent over its channel, no answer yet' : 'pushed, no answer yet';
  if (h.pushState === 'failed') return 'its last push failed';
  return h.online ? 'connected, not yet sent' : 'waiting for the next push round';
}

/** "version 7: applied by 2 of 3 hosts, in 1.4 s" (or "… 12 s so far"). */
export function convergenceLine(c: Convergence): string {
  const hosts = `${c.total} ${c.total === 1 ? 'host' : 'hosts'}`;
  const time = c.seconds === null ? '' : c.complete ? `, in ${c.seconds} s` : `, ${c.seconds} s so far`;
  return `version ${c.version}: applied by ${c.applied} of ${hosts}${time}`;
}
