import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../lib/core/protocol/messages';
import { generateSigningKey, signPayload } from '../lib/core/protocol/signing';
import { envelopeFor } from '../lib/core/protocol/testing';
import { randomKey, randomState, seededRng } from '../lib/core/protocol/testing';
import { Applier } from './apply';
import { FakeSystem } from './fake-system';
import { createAgentServer, listen } from './server';
import { memoryAppliedStore } from './state';

const signer = generateSigningKey();
const state = randomState(seededRng(3));
const self = state.hosts[0].peerId;
let server: http.Server;
let base = '';

beforeAll(async () => {
  const applier = new Applier({
    system: new FakeSystem(), store: memoryAppliedStore(), peerId: self, privateKey: randomKey(seededRng(4)),
    signingPublicKey: Buffer.from(signer.publicKey).toString('base64'), interfaceName: 'mp0', envFile: '/x.env',
  });
  server = createAgentServer(applier, { bodyLimit: 1 << 20, inflatedLimit: 1 << 20 });
  await listen(server, '127.0.0.1:0');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const post = async (body: string) => {
  const res = await fetch(`${base}/push`, { method: 'POST', body, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
};

describe('agent HTTP server', () => {
  it('applies a signed push and reports it on /healthz', async () => {
    const m: Message = { type: 'snapshot', networkId: state.networkId, version: state.version, state };
    const r = await post(JSON.stringify(envelopeFor(signPayload(m, signer.secretKey), self)));
    expect(r.status).toBe(200);
    expect(r.body.appliedVersion).toBe(state.version);
    const h = await fetch(`${base}/healthz`);
    expect(await h.json()).toEqual({ ok: true, drift: [], lastRepair: null, appliedVersion: state.version });
    expect((await post(JSON.stringify(envelopeFor(signPayload(m, signer.secretKey), self)))).status).toBe(409);
  });

  it('maps bad bodies to 400, too large to 413, unknown paths to 404', async () => {
    expect(await post('{not json')).toEqual({ status: 400, body: { error: { code: 'malformed', message: 'body is not JSON' } } });
    expect((await post('{"payload":1}')).status).toBe(400);
    expect((await post(JSON.stringify({ payload: 'x'.repeat(2 << 20), target: self }))).status).toBe(413);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/push`)).status).toBe(405);
  });
});

describe('agent HTTP server, gzip bodies', () => {
  it('accepts a gzipped envelope, and counts the limit after decompression', async () => {
    const { gzipSync } = await import('node:zlib');
    const m: Message = { type: 'snapshot', networkId: state.networkId, version: state.version + 1, state: { ...state, version: state.version + 1 } };
    const gz = (body: string) => fetch(`${base}/push`, { method: 'POST', body: gzipSync(body), headers: { 'content-encoding': 'gzip' }, signal: AbortSignal.timeout(5000) });
    const ok = await gz(JSON.stringify(envelopeFor(signPayload(m, signer.secretKey), self)));
    expect([ok.status, (await ok.json()).appliedVersion]).toEqual([200, state.version + 1]);
    expect((await gz(' '.repeat(3 << 20))).status).toBe(413); // a few KB of gzip, 3 MB inflated
    const broken = await fetch(`${base}/push`, { method: 'POST', body: 'not gzip', headers: { 'content-encoding': 'gzip' } });
    expect(broken.status).toBe(400);
  });
});
