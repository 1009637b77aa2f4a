/**
 * The channel the agent opens (issue 13, items 2–4 and 8): an agent enrolled with no agentUrl
 * gets its config and every later change over its stream or its long-poll, authenticated by its host
 * token, with no POST /api/worker; the token is refused (401) when unknown, malformed or
 * revoked; a host that reconnects gets what it missed at once; the worker does not push
 * directly to a host that is connected over its channel.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Principal } from '../../lib/server/auth/gate';
import { openDatabase, type Handle } from '../../lib/server/db/client';
import { peers } from '../../lib/server/db/schema';
import { createProjectOp } from '../../lib/server/projects/operations';
import { createNetworkOp } from '../../lib/server/networks/operations';
import { createMemberOp, deleteMemberOp } from '../../lib/server/members/operations';
import { listPeersOp } from '../../lib/server/peers/operations';
import { createEnrollmentTokenOp } from '../../lib/server/delivery/operations';
import { enrollHost } from '../../lib/server/peers/enrollment';
import { getSigningKey } from '../../lib/server/delivery/signing-key';
import { runWorkerRound } from '../../lib/server/delivery/worker';
import { startDelivery, type Delivery } from '../../lib/server/delivery/wake';
import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { openChannel, type Channel, type ChannelOptions } from '../../agent/channel';
import { httpRequest } from '../../agent/http-client';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';
import { StubFleet } from './stub-agents';
import { change, randomKey, versionOf } from './push-helpers';
import { allApplied } from './wake-support';
import { channelServer } from './channel-server';

const t = useTestDb();
let owner: Principal;
let projectId: string;
let fleet: StubFleet;
let replicaB: Handle;
let delivery: Delivery;
let server: Awaited<ReturnType<typeof channelServer>>;
const channels: Channel[] = [];

beforeAll(async () => {
  owner = principalOf(await makeUser(t.db));
  projectId = (await createProjectOp.execute(owner, { name: 'channel' })).id;
  fleet = await new StubFleet((await getSigningKey(t.db)).publicKeyBase64).start();
  // Another "replica" LISTENs; the routes run on the test's handle: the wake crosses connections.
  replicaB = await openDatabase(inject('testDatabaseUrl'), { migrated: true });
  delivery = await startDelivery(replicaB);
  server = await channelServer();
});
afterAll(async () => {
  for (const c of channels) await c.close();
  await server?.stop();
  await delivery?.stop();
  await replicaB?.close();
  await fleet?.stop();
});

let n = 0;
/** A network with one external of `count` instances, each enrolled with no agentUrl (channel only). */
async function channelHosts(count: number, agentUrl?: (peerId: string) => string) {
  const network = await createNetworkOp.execute(owner, { projectId, label: `chan-${++n}` });
  const member = await createMemberOp.execute(owner, { networkId: network.id, kind: 'external', label: 'box', instances: count });
  const hosts: { peerId: string; hostToken: string }[] = [];
  for (const [i, p] of member.peers.entries()) hosts.push(await enrolPeer(p.id, i, agentUrl?.(p.id)));
  return { networkId: network.id, memberId: member.id, hosts };
}

async function enrolPeer(peerId: string, i = 0, agentUrl?: string) {
  const { token } = await createEnrollmentTokenOp.execute(owner, { peerId });
  const { hostToken } = await enrollHost(t.db, { token, publicKey: randomKey(), endpoint: `198.51.100.${10 + i}:51820`, agentUrl }, null);
  return { peerId, hostToken };
}

function connect(peerId: string, hostToken: string, transport: ChannelOptions['transport'] = 'auto', url = server.url) {
  const c = fleet.connect(peerId, url, hostToken, { transport });
  channels.push(c);
  return c;
}

const poll = (token: string | null, after = '0') => fetch(`${server.url}/api/agent/v1/next?after=${after}`, {
  headers: token === null ? {} : { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000),
});

describe.each(['stream', 'poll'] as const)('delivery over the channel (%s)', (transport) => {
  it('a host with no agentUrl gets its snapshot, then a later change within a second, with no worker call', async () => {
    const net = await channelHosts(3);
    for (const h of net.hosts) connect(h.peerId, h.hostToken, transport);
    const ids = net.hosts.map((h) => h.peerId);
    await allApplied(fleet, ids, await versionOf(t.db, net.networkId), 3000);
    for (const id of ids) expect(fleet.get(id).received[0].kind).toBe('snapshot');

    const started = Date.now();
    await change(owner, net.networkId);
    const v = await versionOf(t.db, net.networkId);
    await allApplied(fleet, ids, v, 1000);
    console.log(`${transport}: change → 3 channel hosts applied in ${Date.now() - started} ms`);
    for (const id of ids) expect(fleet.get(id).received.at(-1)).toEqual({ version: v, kind: 'delta' });

    // The answers were recorded: applied, connected now.
    await expect.poll(async () => (await t.db.select().from(peers).where(eq(peers.networkId, net.networkId)))
      .map((r) => ({ applied: r.appliedVersion, state: r.pushState, seen: r.lastSeenAt !== null }))).toEqual(ids.map(() => ({ applied: v, state: 'applied', seen: true })));
    // Liveness in the API's peers: online now, seen within the last seconds.
    const page = await listPeersOp.execute(owner, { networkId: net.networkId });
    for (const p of page.items) {
      expect(p.online).toBe(true);
      expect(Date.now() - new Date(p.lastSeenAt!).getTime()).toBeLessThan(30_000);
    }
  });

  it('a host that reconnects gets everything it missed at once', async () => {
    const net = await channelHosts(1);
    const [h] = net.hosts;
    const first = connect(h.peerId, h.hostToken, transport);
    await allApplied(fleet, [h.peerId], await versionOf(t.db, net.networkId), 3000);
    await first.close();
    await change(owner, net.networkId);
    await change(owner, net.networkId);
    const v = await versionOf(t.db, net.networkId);
    expect(fleet.get(h.peerId).applied.at(-1)).toBeLessThan(v);
    connect(h.peerId, h.hostToken, transport);
    await allApplied(fleet, [h.peerId], v, 1000);
  });

  it('the answer rides on the next poll: its figures are recorded, and no answer is sent alone', async () => {
    const net = await channelHosts(2); // a host with a peer, so that its answer has a handshake to give
    const [h] = net.hosts;
    const from = server.calls.length;
    connect(h.peerId, h.hostToken, transport);
    await allApplied(fleet, [h.peerId], await versionOf(t.db, net.networkId), 3000);
    // Only the stub's answer carries a handshake (2030-01-02T03:04:05Z); the poll's after does not.
    await expect.poll(async () => (await t.db.select().from(peers).where(eq(peers.id, h.peerId)))[0].lastHandshakeAt?.toISOString())
      .toBe('2030-01-02T03:04:05.000Z');
    const made = server.calls.slice(from);
    // The stream: one connection and not one HTTP request; the long-poll: the answer on a poll.
    if (transport === 'stream') expect(made).toEqual(['UPGRADE /api/agent/v1/stream']);
    else expect(made).toContain('POST /api/agent/v1/next');
    expect(made).not.toContain('POST /api/agent/v1/answer');
  });

  it('the worker does not push directly to a host connected over its channel', async () => {
    const net = await channelHosts(1, (id) => fleet.add(id));
    const [h] = net.hosts;
    connect(h.peerId, h.hostToken, transport);
    await allApplied(fleet, [h.peerId], await versionOf(t.db, net.networkId), 3000);
    await new Promise((r) => setTimeout(r, 100)); // the enrolment's direct push (before the channel) has settled
    const pushed = fleet.get(h.peerId).hits;
    await change(owner, net.networkId); // wakes replica B's round, which must leave this host to its channel
    expect((await runWorkerRound(t.db, { networkId: net.networkId, ignoreBackoff: true })).claimed).toBe(0);
    await allApplied(fleet, [h.peerId], await versionOf(t.db, net.networkId), 1000);
    await new Promise((r) => setTimeout(r, 200));
    expect(fleet.get(h.peerId).hits).toBe(pushed);
  });
});

describe('liveness', () => {
  it('a host whose agent never connected, or stopped calling, is offline', async () => {
    const net = await channelHosts(2);
    const [a, b] = net.hosts;
    await t.db.update(peers).set({ lastSeenAt: new Date(Date.now() - 3 * 60_000) }).where(eq(peers.id, a.peerId));
    const items = (await listPeersOp.execute(owner, { networkId: net.networkId })).items;
    const byId = new Map(items.map((p) => [p.id, p]));
    expect(byId.get(a.peerId)).toMatchObject({ online: false });
    expect(byId.get(a.peerId)!.lastSeenAt).not.toBeNull();
    expect(byId.get(b.peerId)).toMatchObject({ online: false, lastSeenAt: null });
  });
});

describe('the long-poll', () => {
  it('an answer lost on its way (app restarted, agent killed) is made good by the next poll\'s after', async () => {
    const net = await channelHosts(1);
    const [h] = net.hosts;
    const v = await versionOf(t.db, net.networkId);
    expect((await poll(h.hostToken)).status).toBe(200); // the envelope went out; its answer never came
    const row = async () => (await t.db.select().from(peers).where(eq(peers.id, h.peerId)))[0];
    expect(await row()).toMatchObject({ appliedVersion: 0, pushState: 'sent' });
    // The agent, back, polls with the version it applied: up to date, so the poll is held (given up here).
    const held = (after: number) => fetch(`${server.url}/api/agent/v1/next?after=${after}`, {
      headers: { authorization: `Bearer ${h.hostToken}` }, signal: AbortSignal.timeout(300),
    }).catch(() => null);
    await held(v);
    expect(await row()).toMatchObject({ appliedVersion: v, pushState: 'applied', lastError: null });
    expect((await row()).appliedAt).not.toBeNull();
    // Never above the network's version, and never back down.
    await held(v + 100);
    expect((await row()).appliedVersion).toBe(v);
    expect((await poll(h.hostToken, '0')).status).toBe(200);
    expect((await row()).appliedVersion).toBe(v);
  });

  it('a large snapshot goes out as the gzip compressed once, to a client that accepts it; the agent reads it', async () => {
    const net = await channelHosts(1);
    // 150 more hosts in the document (not enrolled: named, no key) make its snapshot over 16 KB.
    await createMemberOp.execute(owner, { networkId: net.networkId, kind: 'external', label: 'many', instances: 150 });
    const [h] = net.hosts;
    const raw = (acceptEncoding?: string) => new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
      http.get(`${server.url}/api/agent/v1/next?after=0`, { headers: { authorization: `Bearer ${h.hostToken}`, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) })).on('error', reject);
      }).on('error', reject);
    });
    const zipped = await raw('gzip');
    expect(zipped.encoding).toBe('gzip');
    const plain = await raw();
    expect(plain.encoding).toBeUndefined();
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(JSON.parse(plain.body.toString())).toMatchObject({ target: h.peerId });
    // The agent's own client (two gzip members: the shared document, then this host's target).
    const got = await httpRequest(`${server.url}/api/agent/v1/next?after=0`, { headers: { authorization: `Bearer ${h.hostToken}` }, timeoutMs: 5000 });
    expect(got.body.equals(plain.body)).toBe(true);
  });

  it('a poll carrying a malformed answer is refused with 400 and changes nothing', async () => {
    const net = await channelHosts(1);
    const [h] = net.hosts;
    const row = async () => (await t.db.select().from(peers).where(eq(peers.id, h.peerId)))[0];
    const before = await row();
    for (const [body, code] of [['{"version":"x","status":200,"body":{}}', 'invalid'], ['not json', 'invalid_json']]) {
      const res = await fetch(`${server.url}/api/agent/v1/next?after=0`, { method: 'POST', headers: { authorization: `Bearer ${h.hostToken}`, 'content-type': 'application/json' }, body });
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe(code);
    }
    expect(await row()).toEqual(before);
  });

});

describe('the host token', () => {
  it('no, malformed or unknown token: 401 and nothing sent', async () => {
    for (const token of [null, 'garbage', `mph_${'A'.repeat(43)}`, `mpe_${'A'.repeat(43)}`]) {
      const res = await poll(token);
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('invalid_host_token');
    }
    const answer = await fetch(`${server.url}/api/agent/v1/answer`, { method: 'POST', headers: { authorization: `Bearer mph_${'B'.repeat(43)}`, 'content-type': 'application/json' }, body: '{"version":1,"status":200,"body":{}}' });
    expect(answer.status).toBe(401);
  });

  it('a valid token is answered at once with the envelope; a bad after is 400', async () => {
    const net = await channelHosts(1);
    const res = await poll(net.hosts[0].hostToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ target: net.hosts[0].peerId });
    expect((await poll(net.hosts[0].hostToken, '-1')).status).toBe(400);
  });

  it('a new enrolment of the peer revokes the old token, a held poll included', async () => {
    const net = await channelHosts(1);
    const old = net.hosts[0];
    const v = await versionOf(t.db, net.networkId);
    const held = poll(old.hostToken, String(v)); // up to date: held
    await new Promise((r) => setTimeout(r, 200));
    const renewed = await enrolPeer(old.peerId); // raises the version: wakes the held poll
    expect((await held).status).toBe(401);
    expect((await poll(old.hostToken)).status).toBe(401);
    expect((await poll(renewed.hostToken)).status).toBe(200);
  });

  it('removing the member revokes its hosts\' tokens', async () => {
    const net = await channelHosts(1);
    expect((await poll(net.hosts[0].hostToken)).status).toBe(200);
    await deleteMemberOp.execute(owner, { memberId: net.memberId });
    expect((await poll(net.hosts[0].hostToken)).status).toBe(401);
  });
});

/** A raw WebSocket to the stream: the frames it got, and how it was refused or closed. */
function rawStream(token: string | null) {
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/agent/v1/stream`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` }, perMessageDeflate: false,
  });
  const frames: { data: Buffer; binary: boolean }[] = [];
  ws.on('message', (data: Buffer, binary) => frames.push({ data, binary }));
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve) => ws.on('open', () => resolve()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const refused = new Promise<{ status: number; body: { error: { code: string } } }>((resolve) => ws.on('unexpected-response', (_req, res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => { resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }); ws.terminate(); });
  }));
  const frame = async (n: number) => { await expect.poll(() => frames.length).toBeGreaterThanOrEqual(n); return frames[n - 1]; };
  return { ws, frames, opened, closed, refused, frame };
}

describe('the stream', () => {
  it('no, malformed or unknown token: the upgrade is answered 401 and no connection is made', async () => {
    for (const token of [null, 'garbage', `mph_${'A'.repeat(43)}`]) {
      const s = rawStream(token);
      const { status, body } = await s.refused;
      expect(status).toBe(401);
      expect(body.error.code).toBe('invalid_host_token');
    }
  });

  it('a poll is answered with the envelope as a text frame; a large snapshot as one binary frame, the gzip made once', async () => {
    const net = await channelHosts(1);
    const [h] = net.hosts;
    const s = rawStream(h.hostToken);
    await s.opened;
    s.ws.send('{"after":0}');
    const small = await s.frame(1);
    expect(small.binary).toBe(false);
    expect(JSON.parse(small.data.toString())).toMatchObject({ target: h.peerId });
    s.ws.close();

    await createMemberOp.execute(owner, { networkId: net.networkId, kind: 'external', label: 'many', instances: 150 });
    const big = rawStream(h.hostToken);
    await big.opened;
    big.ws.send('{"after":0}');
    const zipped = await big.frame(1);
    expect(zipped.binary).toBe(true);
    const plain = Buffer.from(await (await poll(h.hostToken)).arrayBuffer());
    expect(gunzipSync(zipped.data).equals(plain)).toBe(true);
    expect(zipped.data.length).toBeLessThan(plain.length / 2);
    big.ws.close();
  });

  it('a malformed poll closes the stream with 4400 and changes nothing', async () => {
    const net = await channelHosts(1);
    const [h] = net.hosts;
    const row = async () => (await t.db.select().from(peers).where(eq(peers.id, h.peerId)))[0];
    const before = await row();
    for (const frame of ['not json', '{"after":-1}', '{"after":0,"answer":{"version":"x","status":200,"body":{}}}']) {
      const s = rawStream(h.hostToken);
      await s.opened;
      s.ws.send(frame);
      expect(await s.closed).toEqual({ code: 4400, reason: 'invalid' });
      expect(s.frames).toEqual([]);
    }
    expect({ ...(await row()), lastSeenAt: null }).toEqual({ ...before, lastSeenAt: null });
  });

  it('a new enrolment of the peer closes its held stream with 4401, and the old token is refused from then on', async () => {
    const net = await channelHosts(1);
    const old = net.hosts[0];
    const s = rawStream(old.hostToken);
    await s.opened;
    s.ws.send(JSON.stringify({ after: await versionOf(t.db, net.networkId) })); // up to date: held
    await new Promise((r) => setTimeout(r, 200));
    await enrolPeer(old.peerId); // raises the version: wakes the held poll
    expect(await s.closed).toEqual({ code: 4401, reason: 'invalid_host_token' });
    expect(s.frames).toEqual([]);
    expect((await rawStream(old.hostToken).refused).status).toBe(401);
  });

  it('behind a proxy that does not pass upgrades, the agent long-polls instead', async () => {
    const proxy = await channelServer({ upgrades: false });
    try {
      const net = await channelHosts(1);
      const [h] = net.hosts;
      connect(h.peerId, h.hostToken, 'auto', proxy.url);
      await allApplied(fleet, [h.peerId], await versionOf(t.db, net.networkId), 3000);
      expect(proxy.calls.slice(0, 2)).toEqual(['GET /api/agent/v1/stream', 'GET /api/agent/v1/next']);
    } finally {
      await proxy.stop();
    }
  });

  it('a held stream whose agent stops answering pings is let go; one that answers is kept', async () => {
    const short = await channelServer({ holdMs: 150 });
    try {
      const net = await channelHosts(2);
      const v = String(await versionOf(t.db, net.networkId));
      const open = (token: string, autoPong: boolean) => {
        const ws = new WebSocket(`${short.url.replace(/^http/, 'ws')}/api/agent/v1/stream`, { headers: { authorization: `Bearer ${token}` }, autoPong });
        let closed = false;
        ws.on('close', () => { closed = true; });
        ws.on('open', () => ws.send(`{"after":${v}}`)); // up to date: held, hold after hold
        return { ws, closed: () => closed };
      };
      const deaf = open(net.hosts[0].hostToken, false);
      const alive = open(net.hosts[1].hostToken, true);
      await expect.poll(deaf.closed, { timeout: 3000 }).toBe(true); // the second hold's end finds no pong
      await new Promise((r) => setTimeout(r, 600)); // four more holds
      expect(alive.closed()).toBe(false);
      alive.ws.close();
    } finally {
      await short.stop();
    }
  });

  it('a stream that falls silent (a connection dead on the way) is given up and made again', async () => {
    const silent = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    let connections = 0;
    silent.on('connection', () => { connections++; });
    await new Promise((r) => silent.once('listening', r));
    const c = openChannel({
      server: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, hostToken: 'mph_x', transport: 'stream',
      handle: async () => ({ status: 200, body: {} }), appliedVersion: () => 1, pollTimeoutMs: 300, backoffBaseMs: 20, backoffMaxMs: 40,
    });
    try {
      await expect.poll(() => connections, { timeout: 3000 }).toBeGreaterThanOrEqual(3);
    } finally {
      await c.close();
      for (const ws of silent.clients) ws.terminate();
      await new Promise((r) => silent.close(r));
    }
  });
});
