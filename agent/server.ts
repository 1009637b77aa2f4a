import http from 'node:http';
import { createGunzip } from 'node:zlib';
import type { Applier } from './apply';

/*
 * The agent's push endpoint. Authentication is the signature inside the envelope (checked
 * by the applier), so the server only bounds what it reads and maps answers to HTTP.
 */

// A 5,000-host snapshot is ~1.5 MB of JSON (~2 MB in base64); leave room, refuse worse.
export const defaultBodyLimit = 32 << 20;

export type ServerOptions = { bodyLimit?: number; log?: (line: string) => void };

export function createAgentServer(applier: Applier, opts: ServerOptions = {}): http.Server {
  const limit = opts.bodyLimit ?? defaultBodyLimit;
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/healthz' && req.method === 'GET') return send(200, { ok: true, appliedVersion: applier.appliedVersion() });
    if (url !== '/push') return send(404, { error: { code: 'not_found', message: 'POST /push or GET /healthz' } });
    if (req.method !== 'POST') return send(405, { error: { code: 'malformed', message: 'use POST' } });
    void (async () => {
      const body = await readBody(req, limit);
      if (body === 'too_large') return send(413, { error: { code: 'too_large', message: `body over ${limit} bytes` } });
      if (body === 'bad_encoding') return send(400, { error: { code: 'malformed', message: 'body is not valid gzip' } });
      let envelope: unknown;
      try {
        envelope = JSON.parse(body.toString('utf8'));
      } catch {
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
      }
    })();
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 10_000;
  return server;
}

/**
 * The body, gunzipped when sent with `Content-Encoding: gzip` (a 5,000-host snapshot is
 * ~2.6 MB in base64 and shrinks several-fold). The limit counts decompressed bytes, so a
 * small gzip bomb is refused like a large body.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too_large' | 'bad_encoding'> {
  const gzip = req.headers['content-encoding'] === 'gzip';
  if (!gzip && Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume(); // drain without keeping it
    return Promise.resolve('too_large');
  }
  const source = gzip ? req.pipe(createGunzip()) : req;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const stop = (r: 'too_large' | 'bad_encoding') => {
      if (done) return;
      done = true;
      source.removeAllListeners('data');
      if (gzip) req.unpipe();
      req.resume(); // drain the rest without keeping it
      resolve(r);
    };
    source.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) stop('too_large');
      else chunks.push(c);
    });
    source.on('end', () => { if (!done) { done = true; resolve(Buffer.concat(chunks)); } });
    // A broken gzip stream is the client's error; a dropped connection needs no answer at all.
    source.on('error', () => stop('bad_encoding'));
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
