import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, httpRequest } from './http-client';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/gzip') return res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(JSON.stringify({ ok: true, pad: 'x'.repeat(5000) })));
    if (req.url === '/bomb') return res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(4 << 20)));
    if (req.url === '/slow') return setTimeout(() => res.end('late'), 2000);
    if (req.url === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => res.writeHead(201).end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body: Buffer.concat(chunks).toString() })));
      return;
    }
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => { server.closeAllConnections(); server.close(); });

describe('the agent\'s HTTP client (node:http, no undici)', () => {
  it('sends method, headers and body, and reads status and body', async () => {
    const r = await httpRequest(`${base}/echo`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: '{"a":1}', timeoutMs: 2000 });
    expect(r.status).toBe(201);
    expect(JSON.parse(r.body.toString())).toEqual({ method: 'POST', auth: 'Bearer t', body: '{"a":1}' });
    expect((await httpRequest(`${base}/`, { timeoutMs: 2000 })).status).toBe(204);
  });
  it('inflates gzip, and stops at the byte limit counted after inflating', async () => {
    expect(JSON.parse((await httpRequest(`${base}/gzip`, { timeoutMs: 2000 })).body.toString()).ok).toBe(true);
    await expect(httpRequest(`${base}/bomb`, { timeoutMs: 2000, maxBytes: 1 << 20 })).rejects.toEqual(new HttpError('too large'));
  });
  it('fails with a code on timeout, abort and a closed port', async () => {
    await expect(httpRequest(`${base}/slow`, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'timed out' });
    const stop = new AbortController();
    const pending = httpRequest(`${base}/slow`, { timeoutMs: 5000, signal: stop.signal });
    stop.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    await expect(httpRequest('http://127.0.0.1:1/', { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
