import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyOf, unseal } from './state';

// `meshplane-agent join` and `leave` as shipped (a child process), against a stub of the control plane.
const signingPublicKey = Buffer.alloc(32, 9).toString('base64');
const goodKey = `mpk_${'g'.repeat(43)}`;
const requests: { path: string; body: Record<string, unknown>; authorization?: string }[] = [];
let stub: http.Server;
let server = '';
let tmp = '';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mp-join-'));
  stub = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c)).on('end', () => {
      const body = text ? JSON.parse(text) as Record<string, unknown> : {};
      requests.push({ path: req.url ?? '', body, authorization: req.headers.authorization });
      const answer = (status: number, b: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(b));
      if (req.url === '/api/agent/join') {
        return body.key === goodKey
          ? answer(200, { peerId: 'pe-abcdefabcdef', hostToken: 'mph_host', signingPublicKey, memberId: 'ap-abcdefabcdef', process: 'web', instance: 3, ip: '10.64.0.4' })
          : answer(409, { error: { code: 'max_instances', message: 'web of app has reached this key\'s 2 instances. Let a host leave, or create a key with a higher maxInstances.' } });
      }
      if (req.url === '/api/agent/v1/leave') return answer(200, { peerId: 'pe-abcdefabcdef', process: 'web', instances: 2, removed: true });
      res.writeHead(204).end(); // the channel and the probe: nothing new
    });
  });
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
  server = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
});
afterAll(async () => {
  stub.close();
  await rm(tmp, { recursive: true, force: true });
});

function agent(args: string[], env: Record<string, string> = {}) {
  const child = spawn('node', ['--import', 'tsx', 'agent/cli.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? 1)));
  return { child, exited, output: () => out };
}
async function until(what: string, probe: () => boolean, ms = 30_000) {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('meshplane-agent join', () => {
  it('joins from the environment alone (a container entrypoint), with the key pair made here; --leave-on-exit leaves on SIGTERM', async () => {
    const dir = join(tmp, 'env');
    const a = agent(['join', '--state-dir', dir, '--dns-port', '0', '--dns-upstream', 'none', '--endpoint', '198.51.100.7:51820', '--leave-on-exit'], {
      MESHPLANE_SERVER: server, MESHPLANE_JOIN_KEY: goodKey, MESHPLANE_PROCESS: 'web', MESHPLANE_INSTANCE: '3',
    });
    await until('the identity', () => existsSync(join(dir, 'identity.json')));
    const privateKey = (await readFile(join(dir, 'private.key'), 'utf8')).trim();
    const sent = requests.find((r) => r.path === '/api/agent/join');
    expect(sent?.body).toEqual({ key: goodKey, publicKey: publicKeyOf(privateKey), process: 'web', instance: 3, endpoint: '198.51.100.7:51820', agentUrl: null });
    expect(JSON.stringify(requests)).not.toContain(privateKey);
    expect(unseal(await readFile(join(dir, 'identity.json'), 'utf8'))).toMatchObject({ peerId: 'pe-abcdefabcdef', hostToken: 'mph_host', signingPublicKey });
    await until('the joined line', () => a.output().includes('joined as web 3 (10.64.0.4'));
    a.child.kill('SIGTERM');
    await a.exited;
    expect(requests.find((r) => r.path === '/api/agent/v1/leave')?.authorization).toBe('Bearer mph_host');
    expect(existsSync(join(dir, 'identity.json'))).toBe(false);
  }, 60_000);

  it('prints the server\'s refusal with what to do, and keeps no identity', async () => {
    const dir = join(tmp, 'refused');
    const a = agent(['join', '--server', server, '--key', `mpk_${'b'.repeat(43)}`, '--state-dir', dir]);
    expect(await a.exited).toBe(1);
    expect(a.output()).toContain('join refused (409 max_instances): web of app has reached this key\'s 2 instances. Let a host leave');
    expect(existsSync(join(dir, 'identity.json'))).toBe(false);
    const none = agent(['join', '--state-dir', join(tmp, 'none')], { MESHPLANE_SERVER: '', MESHPLANE_JOIN_KEY: '' });
    expect(await none.exited).toBe(1);
    expect(none.output()).toContain('join needs --server URL and --key K (or MESHPLANE_SERVER and MESHPLANE_JOIN_KEY)');
  }, 60_000);
});
