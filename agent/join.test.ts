import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { joinNetwork } from './join';

// A control plane that says "instance taken" `taken` times, then gives the instance.
async function controlPlane(taken: number) {
  let asked = 0;
  const server = http.createServer((req, res) => {
    req.resume().on('end', () => {
      asked++;
      const [status, body] = asked <= taken
        ? [409, { error: { code: 'instance_taken', message: 'Instance 2 of web of app is held by another host that is online.' } }]
        : [200, { peerId: 'pe-abcdefabcdef', hostToken: 'mph_host', signingPublicKey: Buffer.alloc(32, 9).toString('base64'), process: 'web', instance: 2, ip: '10.64.0.3' }];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked: () => asked, close: () => server.close() };
}

describe('join with --instance N after a restart', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });
  const stateDir = async () => { const d = await mkdtemp(join(tmpdir(), 'mp-join-retry-')); cleanups.push(() => rm(d, { recursive: true, force: true })); return d; };

  it('asks again while its old self still counts as online, and takes the slot back', async () => {
    const cp = await controlPlane(2);
    cleanups.push(cp.close);
    const lines: string[] = [];
    const joined = await joinNetwork({ server: cp.url, key: 'mpk_x', instance: 2, interface: 'mp0', stateDir: await stateDir(), retryEveryMs: 20, log: (l) => lines.push(l) });
    expect(joined).toMatchObject({ instance: 2, peerId: 'pe-abcdefabcdef' });
    expect(cp.asked()).toBe(3);
    expect(lines[0]).toMatch(/instance 2 is still held .* asking again/);
  });

  it('gives up after its wait and says why', async () => {
    const cp = await controlPlane(1000);
    cleanups.push(cp.close);
    await expect(joinNetwork({ server: cp.url, key: 'mpk_x', instance: 2, interface: 'mp0', stateDir: await stateDir(), waitForInstanceMs: 100, retryEveryMs: 20, log: () => {} }))
      .rejects.toThrow(/join refused \(409 instance_taken\)/);
    expect(cp.asked()).toBeGreaterThan(1);
  });
});
