import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postToAgent } from '../../lib/server/delivery/deliver';

/*
 * One push over real sockets (lib/server/delivery/deliver.ts): what is sent, the kept-alive
 * socket an agent closes as it is reused, a connection that ends without an answer, and TLS
 * to a name at a pinned address.
 */

const servers: (http.Server | https.Server)[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen<S extends http.Server | https.Server>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

const target = (port: number, scheme = 'http', name = 'agent.invalid') =>
  ({ url: new URL(`${scheme}://${name}:${port}/h/pe-1/push`), address: '127.0.0.1', family: 4 as const });

describe('postToAgent', () => {
  it('sends the chunks as one body with the name in Host, to the pinned address, and reads the JSON answer', async () => {
    let seen: { host?: string; encoding?: string; body: Buffer } | null = null;
    const port = await listen(http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c)).on('end', () => {
        seen = { host: req.headers.host, encoding: req.headers['content-encoding'], body: Buffer.concat(parts) };
        res.setHeader('content-type', 'application/json').end('{"appliedVersion":3}');
      });
    }));
    // A small body (copied into one write) and one over 64 KiB (sent chunk by chunk).
    for (const size of [10, 200_000]) {
      const chunks = [Buffer.alloc(size, 'a'), Buffer.from('tail')];
      expect(await postToAgent(target(port), { chunks, gzip: true }, 2_000)).toEqual({ status: 200, body: { appliedVersion: 3 } });
      expect(seen).toEqual({ host: `agent.invalid:${port}`, encoding: 'gzip', body: Buffer.concat(chunks) });
    }
  });

  it('tries once more on a fresh connection when the agent closes a kept-alive socket as it is reused', async () => {
    const perSocket = new Map<Socket, number>();
    const port = await listen(http.createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      // The second request on a socket: the agent's side closed it (its keep-alive timeout) just then.
      if (n === 2) return req.socket.destroy();
      req.resume().on('end', () => res.setHeader('content-type', 'application/json').end('{"ok":1}'));
    }));
    const body = { chunks: [Buffer.from('{}')], gzip: false };
    const reused = () => [...perSocket.values()].includes(2);
    // Until a socket is reused (the pool may open a second one while the first is released).
    for (let i = 0; i < 6 && !reused(); i++) expect((await postToAgent(target(port), body, 2_000)).body).toEqual({ ok: 1 });
    expect(reused()).toBe(true);
  });

  it('a fresh connection ended without an answer fails in our words, and is not tried again', async () => {
    let requests = 0;
    const port = await listen(http.createServer((req) => {
      requests++;
      req.socket.destroy();
    }));
    await expect(postToAgent(target(port), { chunks: [Buffer.from('{}')], gzip: false }, 2_000)).rejects.toThrow(/^connection (closed|reset) by the agent$/);
    expect(requests).toBe(1);
  });

  it('an answer over 1 MiB is refused with its status, whether announced or streamed', async () => {
    const big = Buffer.alloc(2 << 20, ' ');
    const port = await listen(http.createServer((req, res) => {
      req.resume().on('end', () => {
        if (req.url?.includes('chunked')) {
          res.write(big.subarray(0, 1 << 19));
          res.end(big.subarray(1 << 19));
        } else res.setHeader('content-length', big.length).end(big);
      });
    }));
    for (const kind of ['announced', 'chunked']) {
      const t = { ...target(port), url: new URL(`http://agent.invalid:${port}/${kind}/push`) };
      await expect(postToAgent(t, { chunks: [Buffer.from('{}')], gzip: false }, 5_000)).rejects.toThrow(/^HTTP status 200, bad answer: over 1 MiB$/);
    }
  });

  it('TLS takes its server name from the agent URL, not from the pinned address, and checks the certificate', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=agent.test', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    } catch {
      throw new Error('this test needs openssl (apt-get install -y openssl)');
    }
    const key = readFileSync(path.join(dir, 'key.pem')), cert = readFileSync(path.join(dir, 'cert.pem'));
    rmSync(dir, { recursive: true, force: true });
    const names: string[] = [];
    const context = tls.createSecureContext({ key, cert });
    const server = https.createServer({ key, cert, SNICallback: (name, cb) => { names.push(name); cb(null, context); } }, (_req, res) => res.end('{}'));
    server.on('tlsClientError', () => {});
    const port = await listen(server);
    // Self-signed: refused in our words, after a handshake that named agent.test.
    await expect(postToAgent(target(port, 'https', 'agent.test'), { chunks: [Buffer.from('{}')], gzip: false }, 2_000))
      .rejects.toThrow(/^TLS error \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)$/);
    expect(names).toEqual(['agent.test']);
  });
});
