import http from 'node:http';
import { createGunzip } from 'node:zlib';
import type { Applier } from './apply';

/*
 * The agent's push endpoint. Authentication is the signature inside the envelope (checked
 * by the applier), so the server only bounds what it reads and maps answers to HTTP.
 */

/*
 * Bounds, because anyone who reaches the port can send a body (the signature is only checked
 * once the body is read): at most `maxInFlight` bodies are read or applied at once, others are
 * refused at once with 503 and never read; a body is cut off at `bodyLimit` bytes as sent and
 * at `inflatedLimit` after gunzip, counted while reading (a Content-Length over the limit is
 * refused before reading); slow or idle clients are dropped by the header, request and idle
 * timeouts. So memory held by bodies stays under maxInFlight × inflatedLimit.
 * A 5,000-host snapshot is ~2.6 MB of base64 JSON inflated, a few hundred KB gzipped (the
 * worker gzips every body over 16 KB).
 */
export const defaultBodyLimit = 8 << 20;
export const defaultInflatedLimit = 16 << 20;
export const defaultMaxInFlight = 2;

export type ServerOptions = {
  bodyLimit?: number; inflatedLimit?: number; maxInFlight?: number;
  headersTimeoutMs?: number; requestTimeoutMs?: number; idleTimeoutMs?: number;
  log?: (line: string) => void;
  /** Called when a push has been answered (the CLI collects garbage there). */
  afterPush?: () => void;
};

export function createAgentServer(applier: Applier, opts: ServerOptions = {}): http.Server {
  const limit = opts.bodyLimit ?? defaultBodyLimit;
  const inflated = opts.inflatedLimit ?? defaultInflatedLimit;
  const maxInFlight = opts.maxInFlight ?? defaultMaxInFlight;
  let inFlight = 0;
  const headersTimeout = opts.headersTimeoutMs ?? 10_000;
  const server = http.createServer({
    headersTimeout, requestTimeout: opts.requestTimeoutMs ?? 30_000,
    connectionsCheckingInterval: Math.min(1000, headersTimeout), maxHeaderSize: 8192,
  }, (req, res) => {
    const send = (status: number, body: unknown, close = false) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) }).end(JSON.stringify(body));
      // Refused: what the sender still sends is read and thrown away (no memory) for at most a
      // second, then the connection is dropped. Closing at once would reset it before the
      // sender has read the answer ("lingering close", as web servers do).
      if (close) {
        req.removeAllListeners('data');
        req.resume();
        res.once('finish', () => setTimeout(() => req.socket.destroy(), 1000).unref());
      }
    };
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/healthz' && req.method === 'GET') {
      const h = applier.health();
      return send(h.ok ? 200 : 503, { ...h, appliedVersion: applier.appliedVersion() });
    }
    if (url !== '/push') return send(404, { error: { code: 'not_found', message: 'POST /push or GET /healthz' } }, true);
    if (req.method !== 'POST') return send(405, { error: { code: 'malformed', message: 'use POST' } }, true);
    if (inFlight >= maxInFlight) {
      res.setHeader('retry-after', '1');
      return send(503, { error: { code: 'busy', message: `${maxInFlight} pushes are already being read; retry` } }, true);
    }
    inFlight++;
    let released = false;
    const release = () => { if (!released) { released = true; inFlight--; } };
    void (async () => {
      const body = await readBody(req, limit, inflated);
      if (body === 'too_large') {
        release();
        return send(413, { error: { code: 'too_large', message: `body over ${limit} bytes as sent or ${inflated} inflated` } }, true);
      }
      if (body === 'bad_encoding' || body === 'aborted') release();
      if (body === 'bad_encoding') return send(400, { error: { code: 'malformed', message: 'body is not valid gzip' } }, true);
      if (body === 'aborted') return;
      let envelope: unknown;
      try {
        envelope = JSON.parse(body.toString('utf8'));
      } catch {
        release();
        return send(400, { error: { code: 'malformed', message: 'body is not JSON' } });
      }
      try {
        const answer = await applier.push(envelope);
        const err = answer.body.error as { code: string; message: string } | undefined;
        opts.log?.(err ? `push refused: ${answer.status} ${err.code}: ${err.message}` : `applied version ${String(answer.body.appliedVersion)}`);
        send(answer.status, answer.body);
      } catch (e) {
        opts.log?.(`push failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
        send(500, { error: { code: 'internal', message: 'the agent failed before applying; see its log' } });
      } finally {
        release();
        opts.afterPush?.();
      }
    })();
  });
  server.keepAliveTimeout = 5000;
  server.timeout = opts.idleTimeoutMs ?? 15_000; // a socket silent this long is closed
  server.maxConnections = 512;
  return server;
}

type BodyResult = Buffer | 'too_large' | 'bad_encoding' | 'aborted';

/**
 * The body, gunzipped when sent with `Content-Encoding: gzip`; both the bytes as sent and the
 * inflated bytes are counted as they arrive, and reading stops at the first limit passed.
 */
function readBody(req: http.IncomingMessage, limit: number, inflatedLimit: number): Promise<BodyResult> {
  const gzip = req.headers['content-encoding'] === 'gzip';
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve('too_large');
  const gunzip = gzip ? createGunzip({ chunkSize: 64 << 10 }) : null;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let sent = 0;
    let size = 0;
    let done = false;
    const stop = (r: BodyResult) => {
      if (done) return;
      done = true;
      req.removeAllListeners('data');
      gunzip?.removeAllListeners('data');
      gunzip?.destroy();
      chunks.length = 0;
      resolve(r);
    };
    const keep = (c: Buffer) => {
      size += c.length;
      if (size > inflatedLimit) stop('too_large');
      else chunks.push(c);
    };
    req.on('data', (c: Buffer) => {
      sent += c.length;
      if (sent > limit) return stop('too_large');
      if (gunzip) gunzip.write(c);
      else keep(c);
    });
    req.on('end', () => {
      if (!gunzip) { if (!done) { done = true; resolve(Buffer.concat(chunks)); } return; }
      gunzip.end();
    });
    // A client gone mid-body (or cut off by the request timeout) frees its slot.
    req.on('close', () => { if (!req.complete) stop('aborted'); });
    req.on('error', () => stop('aborted'));
    if (gunzip) {
      gunzip.on('data', keep);
      gunzip.on('end', () => { if (!done) { done = true; resolve(Buffer.concat(chunks)); } });
      // A broken gzip stream is the client's error; a dropped connection needs no answer at all.
      gunzip.on('error', () => stop('bad_encoding'));
    }
  });
}

/** Listens on ADDR:PORT (IPv6 as [ADDR]:PORT); resolves with the bound port. */
export function listen(server: http.Server, address: string): Promise<number> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]*)\]?:(\d{1,5})$/.exec(address);
  if (!m) throw new Error(`expected ADDR:PORT, got ${address}`);
  return { host: m[1], port: Number(m[2]) };
}
