import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket, type RecordType } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsResponder } from './dns';
import { hasTool } from './test-support';

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

  it('ignores garbage without crashing', async () => {
    expect(responder.answer(Buffer.from('not dns'))).toBeNull();
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
