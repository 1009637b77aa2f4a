import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket, type RecordType } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsResponder } from './dns';
import { hasTool } from './test-support';
import { parseResolvConf, parseUpstreams, systemUpstreams, UpstreamForwarder } from './upstream';

// dns-packet decodes the rcode, but its type definitions do not declare it.
type Packet = DecodedPacket & { rcode: string };

const zone = 'mesh.internal';
const app = 'ap-app000000001.pn-net000000001.mesh.internal';
const many = Array.from({ length: 300 }, (_, i) => `10.64.${i >> 8}.${(i & 255) + 1}`);
const responder = new DnsResponder();
let port = 0;

beforeAll(async () => {
  responder.setZone({ zone, records: [
    { name: app, ips: ['10.64.0.2', '10.64.0.3'] },
    { name: `1.web.${app}`, ips: ['10.64.0.2'] },
    { name: `big.${zone}`, ips: many },
  ] });
  port = await responder.listen('127.0.0.1', 0);
});
afterAll(() => responder.close());

function queryUdp(name: string, type: RecordType = 'A'): Promise<Packet> {
  const sock = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sock.close(); reject(new Error('no answer in 2 s')); }, 2000);
    sock.on('message', (m) => { clearTimeout(timer); sock.close(); resolve(dnsPacket.decode(m) as Packet); });
    sock.send(dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] }), port, '127.0.0.1');
  });
}

function queryTcp(name: string): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    sock.setTimeout(2000, () => { sock.destroy(); reject(new Error('no TCP answer in 2 s')); });
    sock.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { sock.end(); resolve(dnsPacket.decode(buf.subarray(2)) as Packet); }
    });
    sock.write(dnsPacket.streamEncode({ type: 'query', id: 7, questions: [{ type: 'A', name }] }));
  });
}

const ips = (p: Packet) => (p.answers ?? []).map((a) => String((a as { data: unknown }).data)).sort();

describe('DnsResponder over UDP (dns-packet client)', () => {
  it('answers several A records for a name that covers several instances', async () => {
    const r = await queryUdp(app);
    expect(r.id).toBe(4242);
    expect(r.rcode).toBe('NOERROR');
    expect(r.flag_aa).toBe(true);
    expect(ips(r)).toEqual(['10.64.0.2', '10.64.0.3']);
    expect(ips(await queryUdp(`1.WEB.${app.toUpperCase()}`))).toEqual(['10.64.0.2']); // case-insensitive
  });

  it('NXDOMAIN inside the zone, REFUSED outside, NODATA for other types', async () => {
    const nx = await queryUdp(`9.web.${app}`);
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.authorities?.[0]?.type).toBe('SOA');
    expect((await queryUdp('example.com')).rcode).toBe('REFUSED');
    expect((await queryUdp('evilmesh.internal')).rcode).toBe('REFUSED');
    const aaaa = await queryUdp(app, 'AAAA');
    expect([aaaa.rcode, aaaa.answers?.length]).toEqual(['NOERROR', 0]);
  });

  it('truncates a too-large UDP answer and gives the whole set over TCP', async () => {
    const udp = await queryUdp(`big.${zone}`);
    expect(udp.flag_tc).toBe(true);
    expect(udp.answers!.length).toBeLessThan(300);
    const tcp = await queryTcp(`big.${zone}`);
    expect(tcp.answers).toHaveLength(300);
  });

  it('on a port whose TCP side is taken, fails and leaves its UDP side free', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const taken = (holder.address() as net.AddressInfo).port;
    const other = new DnsResponder({ upstream: null });
    try {
      await expect(other.listen('127.0.0.1', taken)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const udp = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(taken, '127.0.0.1', () => resolve()); });
      await new Promise<void>((r) => udp.close(() => r()));
    } finally {
      await other.close();
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });

  it('ignores garbage without crashing', async () => {
    expect(await responder.respond(Buffer.from('not dns'))).toBeNull();
    expect(ips(await queryUdp(app))).toHaveLength(2);
  });
});

describe('DnsResponder with dig', () => {
  it('answers dig the same way', async () => {
    // dig is optional here (the packet-level tests above are the contract); say so when absent.
    if (!hasTool('dig')) {
      console.warn('dig not installed (apt-get install -y dnsutils): dig cross-check not run');
      return;
    }
    // Async: the responder lives in this process, a sync exec would block it.
    const dig = async (...args: string[]) =>
      (await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args], { timeout: 10_000 })).stdout;
    expect((await dig('+short', app)).trim().split('\n').sort()).toEqual(['10.64.0.2', '10.64.0.3']);
    expect(await dig(`nope.${app}`)).toContain('status: NXDOMAIN');
    expect(await dig('example.com')).toContain('status: REFUSED');
    expect((await dig('+short', `big.${zone}`)).trim().split('\n')).toHaveLength(300); // dig retries over TCP on TC
  });
});

// ---- Forwarding of names outside the zone (agent/upstream.ts). Only 127.0.0.1 is ever contacted.

/** A fake upstream resolver on 127.0.0.1: answers `example.test` A 192.0.2.7 (NXDOMAIN otherwise), or stays silent. */
async function fakeUpstream(mode: 'answer' | 'silent' | 'liar' = 'answer') {
  const sock = dgram.createSocket('udp4');
  const seen: { id: number; name: string }[] = [];
  sock.on('message', (m, r) => {
    const q = dnsPacket.decode(m);
    const question = q.questions![0];
    seen.push({ id: q.id!, name: question.name });
    if (mode === 'silent') return;
    const answer = (id: number, name: string) => dnsPacket.encode({
      id, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (name === 'example.test' ? 0 : 3),
      questions: [{ ...question, name }],
      answers: name === 'example.test' ? [{ type: 'A', name, ttl: 300, data: '192.0.2.7' }] : [],
    });
    if (mode === 'liar') {
      // Forged answers first (wrong id, then right id but another question): the forwarder must ignore both.
      sock.send(dnsPacket.encode({ id: (q.id! + 1) & 0xffff, type: 'response', questions: [question], answers: [{ type: 'A', name: question.name, ttl: 1, data: '203.0.113.66' }] }), r.port, r.address);
      sock.send(dnsPacket.encode({ id: q.id!, type: 'response', questions: [{ ...question, name: 'other.test' }], answers: [{ type: 'A', name: 'other.test', ttl: 1, data: '203.0.113.66' }] }), r.port, r.address);
    }
    sock.send(answer(q.id!, question.name), r.port, r.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, seen, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

/** A UDP port on 127.0.0.1 with nothing listening (ICMP port unreachable). */
async function deadPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** One UDP query to 127.0.0.1:`to`; null when no answer comes within `waitMs`. */
function ask(to: number, name: string, id = 4242, waitMs = 3000): Promise<Packet | null> {
  const sock = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => { sock.close(); resolve(null); }, waitMs);
    sock.on('message', (m) => { clearTimeout(timer); sock.close(); resolve(dnsPacket.decode(m) as Packet); });
    sock.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), to, '127.0.0.1');
  });
}

async function responderWith(forwarder: UpstreamForwarder | null) {
  const r = new DnsResponder({ upstream: forwarder });
  r.setZone({ zone, records: [{ name: `1.web.${app}`, ips: ['10.64.0.2'] }] });
  return { r, port: await r.listen('127.0.0.1', 0) };
}

describe('DnsResponder forwarding outside the zone', () => {
  it('relays the upstream answer with the client id; zone names never reach the upstream', async () => {
    const up = await fakeUpstream();
    const fwd = new UpstreamForwarder([{ address: '127.0.0.1', port: up.port }]);
    const { r, port: p } = await responderWith(fwd);
    try {
      const res = await ask(p, 'example.test', 31337);
      expect(res?.id).toBe(31337);
      expect(res?.rcode).toBe('NOERROR');
      expect(ips(res!)).toEqual(['192.0.2.7']);
      expect(up.seen.map((s) => s.name)).toEqual(['example.test']);
      expect((await ask(p, 'nothing.test', 5))?.rcode).toBe('NXDOMAIN'); // the upstream's own NXDOMAIN, relayed
      expect(up.seen).toHaveLength(2);

      const local = await ask(p, `1.web.${app}`, 77);
      expect([local?.id, local?.rcode, local?.flag_aa]).toEqual([77, 'NOERROR', true]);
      expect(ips(local!)).toEqual(['10.64.0.2']);
      expect((await ask(p, `9.web.${app}`))?.rcode).toBe('NXDOMAIN'); // unknown in the zone: still ours
      expect(up.seen).toHaveLength(2); // the upstream saw neither zone query

      // TCP clients are forwarded too (upstream over UDP).
      const tcp = await new Promise<Packet>((resolve, reject) => {
        const s = net.connect(p, '127.0.0.1');
        let buf = Buffer.alloc(0);
        s.setTimeout(3000, () => { s.destroy(); reject(new Error('no TCP answer')); });
        s.on('data', (c) => {
          buf = Buffer.concat([buf, c]);
          if (buf.length >= 2 + buf.readUInt16BE(0)) { s.end(); resolve(dnsPacket.decode(buf.subarray(2)) as Packet); }
        });
        s.write(dnsPacket.streamEncode({ type: 'query', id: 9, questions: [{ type: 'A', name: 'example.test' }] }));
      });
      expect([tcp.id, ips(tcp)]).toEqual([9, ['192.0.2.7']]);
      expect(fwd.stats()).toEqual({ inFlight: 0, openSockets: 0 });
    } finally {
      await r.close();
      await up.close();
    }
  });

  it('ignores forged answers (wrong id, other question) and relays the genuine one', async () => {
    const up = await fakeUpstream('liar');
    const { r, port: p } = await responderWith(new UpstreamForwarder([{ address: '127.0.0.1', port: up.port }]));
    try {
      const res = await ask(p, 'example.test', 1234);
      expect([res?.id, ips(res!)]).toEqual([1234, ['192.0.2.7']]);
    } finally {
      await r.close();
      await up.close();
    }
  });

  it('answers SERVFAIL when the upstream never answers, within the timeout, and cleans up', async () => {
    const silent = await fakeUpstream('silent');
    const fwd = new UpstreamForwarder([{ address: '127.0.0.1', port: silent.port }], { timeoutMs: 500 });
    const { r, port: p } = await responderWith(fwd);
    try {
      const t0 = Date.now();
      const res = await ask(p, 'example.test', 999);
      const took = Date.now() - t0;
      expect([res?.id, res?.rcode]).toEqual([999, 'SERVFAIL']);
      expect(took).toBeGreaterThanOrEqual(450);
      expect(took).toBeLessThan(1500);
      expect(silent.seen).toHaveLength(1);
      await new Promise((res2) => setTimeout(res2, 20)); // socket 'close' events are asynchronous
      expect(fwd.stats()).toEqual({ inFlight: 0, openSockets: 0 });
    } finally {
      await r.close();
      await silent.close();
    }
  });

  it('gives up after the default ~2 s', async () => {
    const silent = await fakeUpstream('silent');
    const fwd = new UpstreamForwarder([{ address: '127.0.0.1', port: silent.port }]);
    expect(fwd.timeoutMs).toBe(2000);
    const { r, port: p } = await responderWith(fwd);
    try {
      const t0 = Date.now();
      expect((await ask(p, 'example.test', 1, 4000))?.rcode).toBe('SERVFAIL');
      expect(Date.now() - t0).toBeLessThan(2600);
    } finally {
      await r.close();
      await silent.close();
    }
  });

  it('tries the upstreams in order: the next after a silent one, at once after an unreachable one', async () => {
    const silent = await fakeUpstream('silent');
    const good = await fakeUpstream();
    const dead = await deadPort();
    const a = await responderWith(new UpstreamForwarder(
      [{ address: '127.0.0.1', port: silent.port }, { address: '127.0.0.1', port: good.port }], { timeoutMs: 1000 }));
    const b = await responderWith(new UpstreamForwarder(
      [{ address: '127.0.0.1', port: dead }, { address: '127.0.0.1', port: good.port }], { timeoutMs: 1000 }));
    const c = await responderWith(new UpstreamForwarder([{ address: '127.0.0.1', port: dead }], { timeoutMs: 1000 }));
    try {
      let t0 = Date.now();
      expect(ips((await ask(a.port, 'example.test'))!)).toEqual(['192.0.2.7']);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(450); // the second one was asked at timeout/2
      expect([silent.seen.length, good.seen.length]).toEqual([1, 1]);
      t0 = Date.now();
      expect(ips((await ask(b.port, 'example.test'))!)).toEqual(['192.0.2.7']);
      expect(Date.now() - t0).toBeLessThan(400); // port unreachable: no waiting
      t0 = Date.now();
      expect((await ask(c.port, 'example.test'))?.rcode).toBe('SERVFAIL'); // all unreachable: SERVFAIL at once
      expect(Date.now() - t0).toBeLessThan(400);
    } finally {
      await Promise.all([a.r.close(), b.r.close(), c.r.close(), silent.close(), good.close()]);
    }
  });

  it('drops queries beyond the in-flight limit and recovers', async () => {
    const silent = await fakeUpstream('silent');
    const fwd = new UpstreamForwarder([{ address: '127.0.0.1', port: silent.port }], { timeoutMs: 400, maxInFlight: 2 });
    const { r, port: p } = await responderWith(fwd);
    try {
      const answers = await Promise.all([1, 2, 3, 4, 5].map((id) => ask(p, `n${id}.test`, id, 1200)));
      expect(answers.filter((a) => a?.rcode === 'SERVFAIL')).toHaveLength(2);
      expect(answers.filter((a) => a === null)).toHaveLength(3); // dropped: no answer at all
      expect(silent.seen).toHaveLength(2);
      await new Promise((res) => setTimeout(res, 20));
      expect(fwd.stats()).toEqual({ inFlight: 0, openSockets: 0 });
      expect((await ask(p, 'again.test', 6))?.rcode).toBe('SERVFAIL'); // slots are free again
      expect(silent.seen).toHaveLength(3);
    } finally {
      await r.close();
      await silent.close();
    }
  });

  it('answers REFUSED outside the zone without upstreams, and never forwards to itself', async () => {
    const none = await responderWith(null);
    const empty = await responderWith(new UpstreamForwarder([]));
    const selfPort = await deadPort();
    const loop = new DnsResponder({ upstream: new UpstreamForwarder([{ address: '127.0.0.1', port: selfPort }]) });
    loop.setZone({ zone, records: [] });
    await loop.listen('127.0.0.1', selfPort);
    try {
      expect((await ask(none.port, 'example.test'))?.rcode).toBe('REFUSED');
      expect((await ask(empty.port, 'example.test'))?.rcode).toBe('REFUSED');
      expect((await ask(selfPort, 'example.test'))?.rcode).toBe('REFUSED');
      expect(await none.r.respond(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'example.test' }] }))).not.toBeNull();
    } finally {
      await Promise.all([none.r.close(), empty.r.close(), loop.close()]);
    }
  });
});

describe('upstream addresses', () => {
  it('parses --dns-upstream values', () => {
    expect(parseUpstreams(['1.1.1.1', '9.9.9.9:5353,[2606:4700::1111]:53', '::1', '[fe80::1%eth0]'])).toEqual([
      { address: '1.1.1.1', port: 53 }, { address: '9.9.9.9', port: 5353 }, { address: '2606:4700::1111', port: 53 },
      { address: '::1', port: 53 }, { address: 'fe80::1%eth0', port: 53 },
    ]);
    expect(() => parseUpstreams(['dns.example'])).toThrow(/not an IP address/);
    expect(() => parseUpstreams(['1.1.1.1:0'])).toThrow(/bad port/);
    expect(() => parseUpstreams(['1.1.1.1:70000'])).toThrow(/bad port/);
  });

  it('reads nameserver lines from resolv.conf, in order', () => {
    expect(parseResolvConf('# generated\nsearch lan\nnameserver 127.0.0.53\n  nameserver 2001:db8::53\nnameserver bogus\noptions edns0\n')).toEqual([
      { address: '127.0.0.53', port: 53 }, { address: '2001:db8::53', port: 53 },
    ]);
    expect(systemUpstreams('/nonexistent/resolv.conf')).toEqual([]);
  });
});
