/*
 * The channel the agent opens to its control plane (docs/agent-protocol.md, "The channel"),
 * outbound only, so a host behind NAT or a closed firewall is reachable. Two transports carry
 * the same exchange: a poll that states the version applied (and carries the answer to the
 * previous envelope) is answered with the next signed envelope, held until there is one. Each
 * envelope goes through the same `handle` as a push (signature, target, version and replay
 * checks unchanged).
 * - A WebSocket, `/api/agent/v1/stream`: polls and envelopes are frames, no HTTP request per
 *   change. Tried first.
 * - The long-poll, `GET|POST /api/agent/v1/next?after=V`, answered with the envelope or 204
 *   after ~25 s: for a proxy that does not pass upgrades (the stream's upgrade answered with
 *   a 4xx other than 401), then the stream is tried again every 10 minutes.
 * Failures back off with jitter (1 s doubling to 10 s), so thousands of agents reconnecting
 * after a restart spread out; a reconnect asks for what it missed.
 */

import { gunzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { defaultMaxBytes, HttpError, httpRequest, type HttpAnswer } from './http-client';

export type PushAnswer = { status: number; body: Record<string, unknown> };

export type ChannelOptions = {
  server: string;
  hostToken: string;
  /** The agent's push handler (Applier.push): verifies, applies, answers. */
  handle: (envelope: unknown) => Promise<PushAnswer>;
  appliedVersion: () => number | null;
  log?: (line: string) => void;
  /** 'auto' (default): the stream, else the long-poll; 'poll' or 'stream' only (tests). */
  transport?: 'auto' | 'poll' | 'stream';
  /** Above the server's hold (25 s): a poll (or a stream silent) that long is given up and re-made. */
  pollTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Called with true when a poll was answered or the stream opened, false on a failure (the agent's health). */
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

/** How long the long-poll is given up for after the stream's upgrade was refused (a proxy that does not pass it). */
export const streamRetryMs = 10 * 60_000;

export function openChannel(opts: ChannelOptions): Channel {
  const base = opts.server.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${opts.hostToken}` };
  const stop = new AbortController();
  const log = opts.log ?? (() => {});
  const pollTimeoutMs = opts.pollTimeoutMs ?? 40_000;
  let failures = 0;
  let wantSnapshot = false;
  let streamAfter = opts.transport === 'poll' ? Infinity : 0; // when the stream is tried again

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
  let connectedOver: 'stream' | 'poll' | null = null;
  const connected = (over: 'stream' | 'poll') => {
    if (failures > 0 || connectedOver !== over) log(`channel to ${base} connected (${over === 'stream' ? 'WebSocket stream' : 'long-poll'})`);
    connectedOver = over;
    failures = 0;
    opts.onConnected?.(true);
  };
  const tokenRefused = 'the host token was refused (401): the host was re-enrolled or removed; enrol it again';
  const after = () => (wantSnapshot ? 0 : (opts.appliedVersion() ?? 0));

  /** Hands an envelope to the agent; the answer to send with the next poll (JSON), if it names a version. */
  const take = async (envelope: unknown): Promise<string | undefined> => {
    const answer = await opts.handle(envelope);
    const code = (answer.body.error as { code?: string } | undefined)?.code;
    wantSnapshot = code === 'need_snapshot';
    const version = versionIn(envelope);
    // A refused document (other than "send me a snapshot") would come back at once: wait first.
    if (answer.status !== 200 && !wantSnapshot && code !== 'stale') await failed(`version ${version ?? '?'} refused: ${code ?? answer.status}`);
    return version === null ? undefined : JSON.stringify({ version, status: answer.status, body: answer.body });
  };

  /*
   * One WebSocket connection, until it closes. Resolves 'unsupported' when the upgrade was
   * answered with a 4xx other than 401 (a proxy that does not pass it, a control plane without
   * the stream), else after any failure's backoff.
   */
  const stream = () => new Promise<'closed' | 'unsupported'>((resolve) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/agent/v1/stream`, {
      headers: { ...auth, 'cache-control': 'no-store' }, perMessageDeflate: false, maxPayload: defaultMaxBytes, handshakeTimeout: 10_000,
    });
    let refusedWith: number | undefined;
    let problem = 'connection failed';
    let handling = Promise.resolve();
    // Waiting for the server: a frame or a ping at least every hold (25 s); past this, it is gone.
    let silence: NodeJS.Timeout | undefined;
    const expectServer = () => { clearTimeout(silence); silence = setTimeout(() => { problem = 'no answer (timed out)'; ws.terminate(); }, pollTimeoutMs); };
    const onAbort = () => ws.terminate(); // not close(): its handshake waits up to 30 s for a server that may be gone
    stop.signal.addEventListener('abort', onAbort, { once: true });
    const send = (answer: string | undefined) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(`{"after":${after()}${answer === undefined ? '' : `,"answer":${answer}`}}`);
      expectServer();
    };
    ws.on('unexpected-response', (_req, res) => {
      refusedWith = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => { connected('stream'); send(undefined); });
    ws.on('ping', expectServer);
    ws.on('message', (data: Buffer, isBinary) => {
      clearTimeout(silence);
      handling = handling.then(async () => {
        let envelope: unknown;
        try {
          envelope = JSON.parse((isBinary ? gunzipSync(data, { maxOutputLength: defaultMaxBytes }) : data).toString('utf8'));
        } catch {
          problem = 'the envelope was not JSON';
          ws.terminate();
          return;
        }
        connected('stream');
        send(await take(envelope));
      });
    });
    ws.on('error', (e: NodeJS.ErrnoException) => { if (problem === 'connection failed' && e.code) problem = `no answer (${e.code})`; });
    ws.on('close', (code, reason) => {
      clearTimeout(silence);
      stop.signal.removeEventListener('abort', onAbort);
      void handling.then(async () => {
        if (stop.signal.aborted) return resolve('closed');
        if (refusedWith !== undefined && refusedWith !== 401 && refusedWith < 500) return resolve('unsupported');
        if (refusedWith === 401 || code === 4401) problem = tokenRefused;
        else if (refusedWith !== undefined) problem = `HTTP status ${refusedWith}`;
        else if (code >= 4000 && code < 5000) problem = `refused (${code - 4000} ${reason.toString() || 'no reason'})`;
        else if (code !== 1006) problem = `closed by the server (${code})`;
        await failed(problem);
        resolve('closed');
      });
    });
  });

  // The answer to the last envelope, sent with the next poll; dropped once a poll was answered
  // at all (the poll's `after` says what was applied, so an answer lost on the way loses nothing).
  let answerBody: string | undefined;
  /** One long-poll. */
  const poll = async () => {
    let res: HttpAnswer;
    try {
      res = await httpRequest(`${base}/api/agent/v1/next?after=${after()}`, {
        method: answerBody === undefined ? 'GET' : 'POST', body: answerBody,
        headers: { ...auth, 'cache-control': 'no-store', ...(answerBody === undefined ? {} : { 'content-type': 'application/json' }) },
        signal: stop.signal, timeoutMs: pollTimeoutMs,
      });
      answerBody = undefined;
    } catch (e) {
      if (!stop.signal.aborted) await failed(`no answer (${e instanceof HttpError ? e.code : 'connection failed'})`);
      return;
    }
    if (res.status === 204) return connected('poll');
    if (res.status !== 200) return failed(res.status === 401 ? tokenRefused : `HTTP status ${res.status}`);
    let envelope: unknown;
    try {
      envelope = JSON.parse(res.body.toString('utf8'));
    } catch {
      return failed('the envelope was not JSON');
    }
    connected('poll');
    answerBody = await take(envelope);
  };

  const loop = async () => {
    while (!stop.signal.aborted) {
      if (Date.now() < streamAfter) {
        await poll();
      } else if (await stream() === 'unsupported') {
        if (opts.transport === 'stream') {
          await failed('the WebSocket upgrade was refused');
        } else {
          streamAfter = Date.now() + streamRetryMs;
          log(`channel to ${base}: the WebSocket upgrade was refused (a proxy that does not pass it?); long-polling instead`);
        }
      }
    }
  };
  const done = loop();
  return { done, close: async () => { stop.abort(); await done; } };
}
