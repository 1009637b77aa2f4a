/*
 * The channel the agent opens to its control plane (docs/agent-protocol.md, "The channel"):
 * a long-poll, `GET /api/agent/v1/next?after=<applied version>` with the host token, answered
 * with the next signed envelope (or 204 after ~25 s with nothing new), which goes through the
 * same `handle` as a push (signature, target, version and replay checks unchanged); the answer
 * rides on the next poll (`POST …/next?after=…` with the answer as its body), so a change costs
 * one exchange and one connection per host. Outbound only, so a host behind NAT or a closed
 * firewall is reachable. Failures back off with jitter (1 s doubling to 10 s), so thousands
 * of agents reconnecting after a restart spread out; a reconnect asks for what it missed.
 */

import { HttpError, httpRequest, type HttpAnswer } from './http-client';

export type PushAnswer = { status: number; body: Record<string, unknown> };

export type ChannelOptions = {
  server: string;
  hostToken: string;
  /** The agent's push handler (Applier.push): verifies, applies, answers. */
  handle: (envelope: unknown) => Promise<PushAnswer>;
  appliedVersion: () => number | null;
  log?: (line: string) => void;
  /** Above the server's hold (25 s): a poll that has not answered by then is given up and re-made. */
  pollTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Called with true when a poll was answered, false when one failed (the agent's health). */
  onConnected?: (connected: boolean, problem?: string) => void;
};

export type Channel = { close: () => Promise<void>; done: Promise<void> };

/** The wait after `failures` failures in a row: exponential, capped, with full jitter over its upper half. */
// 10 s: an agent back from an outage of the control plane is at most that late, and 5,000 of
// them retrying over the upper half (5–10 s) is at most 1,000 polls a second.
export function backoffMs(failures: number, baseMs = 1000, maxMs = 10_000, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The version an envelope says it carries (unverified: only to label the answer). */
function versionIn(envelope: unknown): number | null {
  try {
    const payload = (envelope as { payload?: unknown }).payload;
    if (typeof payload !== 'string') return null;
    const v = (JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as { version?: unknown }).version;
    return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

export function openChannel(opts: ChannelOptions): Channel {
  const base = opts.server.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${opts.hostToken}` };
  const stop = new AbortController();
  const log = opts.log ?? (() => {});
  let failures = 0;
  let wantSnapshot = false;

  const pause = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    stop.signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
  const failed = async (problem: string) => {
    failures++;
    opts.onConnected?.(false, problem);
    const wait = backoffMs(failures, opts.backoffBaseMs, opts.backoffMaxMs);
    if (failures === 1 || failures % 10 === 0) log(`channel to ${base}: ${problem}; reconnecting in ${(wait / 1000).toFixed(1)} s`);
    await pause(wait);
  };

  // The answer to the last envelope, sent with the next poll; dropped once a poll was answered
  // at all (the poll's `after` says what was applied, so an answer lost on the way loses nothing).
  let answerBody: string | undefined;
  const loop = async () => {
    while (!stop.signal.aborted) {
      const after = wantSnapshot ? 0 : (opts.appliedVersion() ?? 0);
      let res: HttpAnswer;
      try {
        res = await httpRequest(`${base}/api/agent/v1/next?after=${after}`, {
          method: answerBody === undefined ? 'GET' : 'POST', body: answerBody,
          headers: { ...auth, 'cache-control': 'no-store', ...(answerBody === undefined ? {} : { 'content-type': 'application/json' }) },
          signal: stop.signal, timeoutMs: opts.pollTimeoutMs ?? 40_000,
        });
        answerBody = undefined;
      } catch (e) {
        if (stop.signal.aborted) return;
        await failed(`no answer (${e instanceof HttpError ? e.code : 'connection failed'})`);
        continue;
      }
      if (res.status === 204) {
        if (failures > 0) log(`channel to ${base} connected`);
        failures = 0;
        opts.onConnected?.(true);
        continue;
      }
      if (res.status !== 200) {
        await failed(res.status === 401 ? 'the host token was refused (401): the host was re-enrolled or removed; enrol it again' : `HTTP status ${res.status}`);
        continue;
      }
      let envelope: unknown;
      try {
        envelope = JSON.parse(res.body.toString('utf8'));
      } catch {
        await failed('the envelope was not JSON');
        continue;
      }
      if (failures > 0) log(`channel to ${base} connected`);
      failures = 0;
      opts.onConnected?.(true);
      const answer = await opts.handle(envelope);
      const code = (answer.body.error as { code?: string } | undefined)?.code;
      wantSnapshot = code === 'need_snapshot';
      const version = versionIn(envelope);
      if (version !== null) answerBody = JSON.stringify({ version, status: answer.status, body: answer.body });
      // A refused document (other than "send me a snapshot") would come back at once: wait first.
      if (answer.status !== 200 && !wantSnapshot && code !== 'stale') await failed(`version ${version ?? '?'} refused: ${code ?? answer.status}`);
    }
  };
  const done = loop();
  return { done, close: async () => { stop.abort(); await done; } };
}
