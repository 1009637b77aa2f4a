import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyOf, unseal } from './state';

// The CLI as shipped (a child process), against a stub of the control plane's enrol route.
const signingPublicKey = Buffer.alloc(32, 9).toString('base64');
const requests: Record<string, string>[] = [];
let stub: http.Server;
let server = '';
let tmp = '';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'mp-cli-'));
  stub = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c)).on('end', () => {
      const r = JSON.parse(body) as Record<string, string>;
      requests.push({ ...r, path: req.url ?? '' });
      const used = r.token === 'used';
      res.writeHead(used ? 409 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(used
        ? { error: { code: 'conflict', message: 'token already used' } }
        : { peerId: 'pe-abcdefabcdef', hostToken: 'host-token-1', signingPublicKey }));
    });
  });
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
  server = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
});
afterAll(async () => {
  stub.close();
  await rm(tmp, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', ['--import', 'tsx', 'agent/cli.ts', ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('meshplane-agent CLI', () => {
  it('enroll: key made locally (0600), public key and endpoint registered, signing key pinned', async () => {
    const dir = join(tmp, 'one');
    const r = await cli('enroll', '--server', server, '--token', 'tok1', '--endpoint', '198.51.100.7:51820',
      '--listen', '0.0.0.0:7000', '--state-dir', dir);
    expect(r.code, r.stderr).toBe(0);
    const privateKey = (await readFile(join(dir, 'private.key'), 'utf8')).trim();
    expect((await stat(join(dir, 'private.key'))).mode & 0o777).toBe(0o600);
    expect(requests.at(-1)).toEqual({
      path: '/api/agent/enroll', token: 'tok1', publicKey: publicKeyOf(privateKey),
      endpoint: '198.51.100.7:51820', agentUrl: 'http://198.51.100.7:7000',
    });
    expect(JSON.stringify(requests)).not.toContain(privateKey);
    const identity = unseal(await readFile(join(dir, 'identity.json'), 'utf8')) as Record<string, unknown>;
    expect(identity).toMatchObject({ peerId: 'pe-abcdefabcdef', signingPublicKey, hostToken: 'host-token-1', interface: 'mp0' });
    expect((await stat(join(dir, 'identity.json'))).mode & 0o777).toBe(0o600);

    const again = await cli('enroll', '--server', server, '--token', 'tok2', '--endpoint', '198.51.100.7:51820', '--listen', '0.0.0.0:7000', '--state-dir', dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already enrolled');
  }, 60_000);

  it('enroll: a refused token leaves no identity, and says why', async () => {
    const dir = join(tmp, 'two');
    const r = await cli('enroll', '--server', server, '--token', 'used', '--endpoint', '198.51.100.8:51820', '--listen', '127.0.0.1:7001', '--state-dir', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('enrolment refused (409): token already used');
    expect(existsSync(join(dir, 'identity.json'))).toBe(false);
  }, 60_000);

  it('prints usage for an unknown command and refuses to run unenrolled', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
    const r = await cli('run', '--state-dir', join(tmp, 'none'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run `enroll` first');
  }, 60_000);
});
