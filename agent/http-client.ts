import http from 'node:http';
import https from 'node:https';
import { createGunzip } from 'node:zlib';

/*
 * The agent's outbound HTTP (its channel to the control plane) on node:http rather than
 * fetch: fetch loads undici, which stays in the agent's memory for its lifetime (~8 MB of RSS
 * measured on the bundled agent; issue 15's budget is 60 MB in a 1,000-host network). The
 * answer is read whole, bounded as sent and inflated (gzip), like the push port's bodies.
 */

export type HttpAnswer = { status: number; body: Buffer };

export type HttpRequest = {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Aborts the request (the agent stopping). */
  signal?: AbortSignal;
  /** The whole exchange, connect to last byte; over it the request fails with `code` 'timed out'. */
  timeoutMs: number;
  /** Bytes as received and after gunzip; over it the request fails with `code` 'too large'. */
  maxBytes?: number;
};

export class HttpError extends Error {
  constructor(readonly code: string) { super(code); }
}

export const defaultMaxBytes = 64 << 20;

export function httpRequest(url: string, req: HttpRequest): Promise<HttpAnswer> {
  const max = req.maxBytes ?? defaultMaxBytes;
  return new Promise((resolve, reject) => {
    let target: URL;
    try { target = new URL(url); } catch { return reject(new HttpError(`${url} is not a URL`)); }
    const transport = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : null;
    if (!transport) return reject(new HttpError(`${target.protocol} is not http or https`));
    let settled = false;
    const fail = (e: HttpError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      outgoing.destroy();
      reject(e);
    };
    const onAbort = () => fail(new HttpError('aborted'));
    const timer = setTimeout(() => fail(new HttpError('timed out')), req.timeoutMs);
    const outgoing = transport.request(target, {
      method: req.method ?? 'GET',
      headers: { 'accept-encoding': 'gzip', ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}), ...req.headers },
    }, (res) => {
      if (Number(res.headers['content-length'] ?? 0) > max) return fail(new HttpError('too large'));
      const gzip = res.headers['content-encoding'] === 'gzip';
      const stream = gzip ? res.pipe(createGunzip()) : res;
      const chunks: Buffer[] = [];
      let received = 0;
      let inflated = 0;
      if (gzip) res.on('data', (c: Buffer) => { received += c.length; if (received > max) fail(new HttpError('too large')); });
      stream.on('data', (c: Buffer) => {
        inflated += c.length;
        if (inflated > max) return fail(new HttpError('too large'));
        chunks.push(c);
      });
      stream.on('error', () => fail(new HttpError(gzip ? 'the answer was not valid gzip' : 'connection reset')));
      stream.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
      });
    });
    outgoing.on('error', (e: NodeJS.ErrnoException) => fail(new HttpError(e.code ?? 'connection failed')));
    if (req.signal?.aborted) return onAbort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.end(req.body);
  });
}
