import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { AgentTarget } from './agent-target';

/*
 * One POST to an agent, with a hard deadline covering connect, upload and answer. Sockets
 * are kept alive between pushes (a round, a retry with a snapshot, the next round). It
 * connects to the address already checked (agent-target.ts), follows no redirect, reads at
 * most answerLimit bytes, and its errors are our own short words for the dashboard
 * ("connection refused", "timed out after 5 s"), never the remote's or the resolver's text.
 * undici rather than node:http: about half the client CPU per request, which is most of a
 * push in a change to a large network (issue 19).
 */

/** `body` is the parsed JSON, or undefined when the answer is not JSON. */
export type AgentAnswer = { status: number; body: unknown };

export class DeliveryError extends Error {}
/** Something answered, but not an answer we read (too large, not HTTP): failed, not pending. */
export class BadAnswerError extends DeliveryError {}

// An answer has totals and at most 64 listed peers (~10 KB): 1 MiB leaves room for more
// fields and bounds what 64 pushes in flight can hold.
export const answerLimit = 1 << 20;

type DispatchController = Dispatcher.DispatchController;

// Bodies up to this size are sent as one buffer (one write with the headers); larger ones
// (a snapshot, the same head for every host) chunk by chunk rather than copied per host.
const copyBelow = 64 << 10;

// Connections are per origin, and the origin is the checked address: the name stays in the
// Host header, from which undici also takes the TLS server name (SNI, certificate check).
const dispatcher = new Agent({ keepAliveTimeout: 10_000 });

export async function postToAgent(target: AgentTarget, body: { chunks: Buffer[]; gzip: boolean }, timeoutMs: number): Promise<AgentAnswer> {
  try {
    return await postOnce(target, body, timeoutMs);
  } catch (e) {
    // A kept-alive socket the agent closed just as we reused it: one fresh attempt.
    if ((e as { reused?: boolean }).reused) return postOnce(target, body, timeoutMs);
    throw e;
  }
}

function postOnce({ url, address, family }: AgentTarget, body: { chunks: Buffer[]; gzip: boolean }, timeoutMs: number): Promise<AgentAnswer> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new DeliveryError('address not allowed: only http and https are allowed'));
  const length = body.chunks.reduce((n, c) => n + c.length, 0);
  return new Promise((resolve, reject) => {
    // undici's handler callbacks: its `request()`, with a body stream per answer, measured no
    // cheaper than node:http.
    let controller: DispatchController | null = null;
    let settled = false;
    let status = 0;
    const parts: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | null, answer?: AgentAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        controller?.abort(error);
        reject(error);
      } else resolve(answer!);
    };
    const tooLarge = () => new BadAnswerError(`HTTP status ${status}, bad answer: over ${answerLimit >> 20} MiB`);
    const timer = setTimeout(() => finish(new DeliveryError(`timed out after ${seconds(timeoutMs)}`)), timeoutMs);
    dispatcher.dispatch({
      origin: `${url.protocol}//${family === 6 ? `[${address}]` : address}${url.port ? `:${url.port}` : ''}`,
      path: url.pathname + url.search,
      method: 'POST',
      headers: {
        host: url.host, 'content-type': 'application/json', 'content-length': String(length),
        ...(body.gzip ? { 'content-encoding': 'gzip' } : {}),
      },
      body: body.chunks.length === 1 ? body.chunks[0] : length < copyBelow ? Buffer.concat(body.chunks, length) : Readable.from(body.chunks, { objectMode: false }),
    }, {
      onRequestStart(c) {
        controller = c;
        if (settled) c.abort(new DeliveryError('timed out'));
      },
      onResponseStart(_c, statusCode, headers) {
        status = statusCode;
        if (Number(headers['content-length'] ?? 0) > answerLimit) finish(tooLarge());
      },
      onResponseData(_c, chunk) {
        size += chunk.length;
        if (size > answerLimit) finish(tooLarge());
        else parts.push(chunk);
      },
      onResponseEnd() {
        let parsed: unknown;
        try { parsed = JSON.parse(Buffer.concat(parts, size).toString('utf8')); } catch { /* left undefined */ }
        finish(null, { status, body: parsed });
      },
      onResponseError(_c, e) {
        const err = describe(e, timeoutMs);
        // undici tells a socket's history only through its counters: one that had read before
        // our request was sent was a kept-alive one.
        if (isClosed(e) && ((e as { socket?: { bytesRead?: number } }).socket?.bytesRead ?? 0) > 0) Object.assign(err, { reused: true });
        finish(err);
      },
    });
  });
}

const codeOf = (e: unknown) => String((e as { code?: unknown })?.code ?? '');
// undici reports a connection the other side ended as its own SocketError, the system's code (if any) as its cause.
const isClosed = (e: unknown) => ['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'].includes(codeOf(e));

const words: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the agent',
  EPIPE: 'connection closed by the agent',
  UND_ERR_SOCKET: 'connection closed by the agent',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name not found',
};

/** Our classification of a connection error: its code, never its message (which may quote the remote). */
export function describe(e: unknown, timeoutMs: number): DeliveryError {
  if (e instanceof DeliveryError) return e;
  let code = codeOf(e);
  if (code === 'UND_ERR_SOCKET' && words[codeOf((e as { cause?: unknown }).cause)]) code = codeOf((e as { cause?: unknown }).cause);
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new DeliveryError(`timed out after ${seconds(timeoutMs)}`);
  }
  if (words[code]) return new DeliveryError(words[code]);
  if (/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/.test(code)) return new DeliveryError(`TLS error (${code.slice(0, 60)})`);
  if (code.startsWith('HPE_')) return new BadAnswerError('bad answer: not HTTP');
  return new DeliveryError('could not connect');
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
