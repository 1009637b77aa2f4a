import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AgentTarget } from './agent-target';

/*
 * One POST to an agent, with a hard deadline covering connect, upload and answer. Sockets
 * are kept alive between pushes (a round, a retry with a snapshot, the next round). It
 * connects to the address already checked (agent-target.ts), follows no redirect, reads at
 * most answerLimit bytes, and its errors are our own short words for the dashboard
 * ("connection refused", "timed out after 5 s"), never the remote's or the resolver's text.
 */

/** `body` is the parsed JSON, or undefined when the answer is not JSON. */
export type AgentAnswer = { status: number; body: unknown };

export class DeliveryError extends Error {}
/** Something answered, but not an answer we read (too large, not HTTP): failed, not pending. */
export class BadAnswerError extends DeliveryError {}

// An answer has totals and at most 64 listed peers (~10 KB): 1 MiB leaves room for more
// fields and bounds what 64 pushes in flight can hold.
export const answerLimit = 1 << 20;

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxFreeSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxFreeSockets: 256 }),
};

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
  const transport = url.protocol === 'https:' ? https : http;
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new DeliveryError('address not allowed: only http and https are allowed'));
  const length = body.chunks.reduce((n, c) => n + c.length, 0);
  // The name keeps its place in Host and TLS (SNI, certificate check); the socket goes to `address`.
  const lookup: LookupFunction = (_host, opts, cb) => {
    if (opts.all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else cb(null, address, family);
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, answer?: AgentAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(answer!);
    };
    const req = transport.request(url, {
      method: 'POST', agent, lookup,
      headers: {
        'content-type': 'application/json', 'content-length': length,
        ...(body.gzip ? { 'content-encoding': 'gzip' } : {}),
      },
    }, (res) => {
      const status = res.statusCode ?? 0;
      const tooLarge = () => req.destroy(new BadAnswerError(`HTTP status ${status}, bad answer: over ${answerLimit >> 20} MiB`));
      if (Number(res.headers['content-length'] ?? 0) > answerLimit) return tooLarge();
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > answerLimit) tooLarge();
        else parts.push(c);
      });
      res.on('error', (e) => finish(describe(e, timeoutMs)));
      res.on('end', () => {
        let parsed: unknown;
        try { parsed = JSON.parse(Buffer.concat(parts).toString('utf8')); } catch { /* left undefined */ }
        finish(null, { status, body: parsed });
      });
    });
    const timer = setTimeout(() => req.destroy(new DeliveryError(`timed out after ${seconds(timeoutMs)}`)), timeoutMs);
    req.on('error', (e) => {
      const err = describe(e, timeoutMs);
      if (req.reusedSocket && isReset(e)) Object.assign(err, { reused: true });
      finish(err);
    });
    for (const chunk of body.chunks) req.write(chunk);
    req.end();
  });
}

const isReset = (e: unknown) => ['ECONNRESET', 'EPIPE'].includes((e as { code?: string }).code ?? '');

const words: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the agent',
  EPIPE: 'connection closed by the agent',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name not found',
};

/** Our classification of a connection error: its code, never its message (which may quote the remote). */
export function describe(e: unknown, timeoutMs: number): DeliveryError {
  if (e instanceof DeliveryError) return e;
  const code = String((e as { code?: unknown })?.code ?? '');
  if (code === 'ETIMEDOUT') return new DeliveryError(`timed out after ${seconds(timeoutMs)}`);
  if (words[code]) return new DeliveryError(words[code]);
  if (/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/.test(code)) return new DeliveryError(`TLS error (${code.slice(0, 60)})`);
  if (code.startsWith('HPE_')) return new BadAnswerError('bad answer: not HTTP');
  return new DeliveryError('could not connect');
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
