import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import dnsPacket, { type DecodedPacket, type RecordType } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsResponder } from './dns';
import { requireTools } from './test-support';

/*
 * DNS as clients expect it: rotating multi-A answers (seen by the real `dig`), NOERROR with no
 * records for other types and for names that only have names below them, short TTLs, and
 * answers for mesh clients only.
 */

type Packet = DecodedPacket & { rcode: string };
const exec = promisify(execFile);
const zone = 'mesh.internal';
const net = 'pn-net000000001.mesh.internal';
const app = `ap-app000000001.${net}`;
const responder = new DnsResponder();
let port = 0;

beforeAll(async () => {
  requireTools(['dig']);
  responder.setZone({ zone, records: [
    { name: app, ips: ['10.64.0.2', '10.64.0.3'] },
    { name: `1.web.${app}`, ips: ['10.64.0.2'] },
    { name: `phone.ann.dev.${net}`, ips: ['10.64.255.254'] },
  ] }, '10.64.0.0/16');
  port = await responder.listen('127.0.0.1', 0);
});
afterAll(() => responder.close());

const ask = async (name: string, type: RecordType = 'A', from?: string) => {
  const out = await responder.respond(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type, name }] }), 512, from);
  return out && (dnsPacket.decode(out) as Packet);
};
const dig = async (...args: string[]) => (await exec('dig', [`@127.0.0.1`, '-p', String(port), '+time=2', '+tries=1', ...args], { timeout: 10_000 })).stdout;

describe('DNS answers as clients expect', () => {
  it('rotates the order of a multi-A answer between queries: 20 dig queries see both orders', async () => {
    const orders = new Set<string>();
    for (let i = 0; i < 20; i++) orders.add((await dig('+short', app)).trim().split('\n').join(','));
    expect([...orders].sort()).toEqual(['10.64.0.2,10.64.0.3', '10.64.0.3,10.64.0.2']);
  });

  it('answers NOERROR with no records for AAAA, TXT, MX of a name that exists', async () => {
    for (const type of ['AAAA', 'TXT', 'MX'] as RecordType[]) {
      const r = (await ask(app, type))!;
      expect([r.rcode, r.answers?.length]).toEqual(['NOERROR', 0]);
    }
    expect(await dig('AAAA', app)).toMatch(/status: NOERROR/);
  });

  it('answers NOERROR with no records for names that only have names below them, NXDOMAIN beside them', async () => {
    for (const name of [net, `web.${app}`, `dev.${net}`, `ann.dev.${net}`]) {
      const r = (await ask(name))!;
      expect([name, r.rcode, r.answers?.length]).toEqual([name, 'NOERROR', 0]);
    }
    expect(await dig('+noall', '+comments', net)).toMatch(/status: NOERROR/);
    expect((await ask(`nobody.${net}`))!.rcode).toBe('NXDOMAIN');
    expect((await ask(`xx.ann.dev.${net}`))!.rcode).toBe('NXDOMAIN');
  });

  it('keeps TTLs at 5 s', async () => {
    const r = (await ask(app))!;
    expect(r.answers!.map((a) => (a as { ttl: number }).ttl)).toEqual([5, 5]);
  });

  it('answers mesh clients and this machine only: a query from outside the network gets nothing', async () => {
    expect((await ask(app, 'A', '10.64.255.254'))!.rcode).toBe('NOERROR');
    expect((await ask(app, 'A', '127.0.0.1'))!.rcode).toBe('NOERROR');
    expect(await ask(app, 'A', '198.51.100.9')).toBeNull();
    expect(await ask('example.com', 'A', '198.51.100.9')).toBeNull(); // never a resolver for them
  });
});
