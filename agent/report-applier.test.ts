import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../lib/core/protocol/messages';
import type { NetworkState } from '../lib/core/protocol/network-state';
import { generateSigningKey, signPayload } from '../lib/core/protocol/signing';
import { envelopeFor } from '../lib/core/protocol/testing';
import { randomKey, randomState, seededRng } from '../lib/core/protocol/testing';
import { Applier } from './apply';
import { FakeSystem } from './fake-system';
import { startReporter, type Report, type Reporter } from './report';
import { memoryAppliedStore } from './state';

/*
 * The agent's wiring (cli.ts): its Applier's health and `wg show` figures go to the control
 * plane's report route over HTTP, with the host token, when a reconcile repaired the
 * interface — no push involved.
 */

const signer = generateSigningKey();
const snapshot = (s: NetworkState): Message => ({ type: 'snapshot', networkId: s.networkId, version: s.version, state: s });
let close: (() => Promise<void>) | null = null;
let reporter: Reporter | null = null;
afterEach(async () => { await reporter?.close(); await close?.(); });

describe('agent reports', () => {
  it('sends "interface was missing" with its time to POST /api/agent/v1/report after a repair', async () => {
    const got: { auth?: string; body: Report }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/api/agent/v1/report' && req.method === 'POST') got.push({ auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString()) as Report });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"recorded":[]}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    close = () => new Promise<void>((r) => server.close(() => r()));
    const state = randomState(seededRng(3), 5, 1);
    const self = state.hosts.find((h) => h.publicKey)!.peerId;
    const system = new FakeSystem();
    const applier = new Applier({
      system, store: memoryAppliedStore(), peerId: self, signingPublicKey: Buffer.from(signer.publicKey).toString('base64'),
      privateKey: randomKey(seededRng(9)), interfaceName: 'mp0', envFile: '/run/m.env',
    });
    expect((await applier.push(envelopeFor(signPayload(snapshot(state), signer.secretKey), self))).status).toBe(200);
    reporter = startReporter({
      server: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, hostToken: 'mph_test',
      health: () => applier.health(), stats: () => applier.stats(), healthEveryMs: 60_000,
    });
    const until = async (n: number) => { for (let i = 0; i < 200 && got.length < n; i++) await new Promise((r) => setTimeout(r, 10)); };
    await until(1);
    expect(got[0]).toMatchObject({ auth: 'Bearer mph_test', body: { health: { ok: true, lastRepair: null } } });

    system.ifaces.delete('mp0'); // wireguard-go died
    expect((await applier.reconcile('netlink event')).repaired).toBe(true);
    reporter.poke(); // as cli.ts does after every reconcile
    await until(2);
    expect(got).toHaveLength(2);
    expect(got[1].body.health?.lastRepair).toMatchObject({ found: ['interface was missing'], ok: true });
    expect(Date.parse(got[1].body.health!.lastRepair!.at)).toBeGreaterThan(Date.now() - 60_000);
  });
});
