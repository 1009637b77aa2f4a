import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';
import ipaddr from 'ipaddr.js';
import type { HostConfig } from '../lib/core/protocol/host-config';
import type { DnsSink } from './apply';
import type { UpstreamForwarder } from './upstream';

/*
 * The agent's resolver for the network's zone, from the pushed records only (no recursion):
 * A records (several where a name covers several instances, in an order that rotates from one
 * query to the next, so that clients taking the first spread over the instances), NOERROR with
 * no records for other types of existing names and for names that only have names below them
 * (`pn-….mesh.internal`), NXDOMAIN for unknown names in the zone. UDP answers that do not fit
 * are truncated with TC set, and the same port answers over TCP, so a group of hundreds of
 * instances still resolves. TTL 5 s for every record, SOA minimum 5 s: names change with
 * every push.
 *
 * Only mesh clients are answered: a query whose source is outside the network's CIDR (and not
 * loopback) gets no answer at all, so an underlay neighbour learns nothing and cannot use the
 * forwarder (the agent's nft table also drops traffic to the private IP that did not come
 * through WireGuard).
 *
 * Names outside the zone go to the upstream resolvers when there are some (see upstream.ts:
 * the upstream's answer is relayed with the client's id, SERVFAIL when none comes in time,
 * nothing at all beyond the in-flight limit); without upstreams they are REFUSED.
 */

const TTL = 5; // seconds: records change with every push
const rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export class DnsResponder {
  private readonly upstream: UpstreamForwarder | null;
  private zone: string | null = null;
  private records = new Map<string, string[]>();
  private parents = new Set<string>();
  private mesh: [ipaddr.IPv4, number] | null = null;
  private turn = 0;
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private bound: { host: string; port: number } | null = null;

  constructor(opts: { upstream?: UpstreamForwarder | null } = {}) {
    this.upstream = opts.upstream && opts.upstream.upstreams.length > 0 ? opts.upstream : null;
  }

  /** The zone's records and the network's CIDR (whose addresses are the only clients served). */
  setZone(dns: HostConfig['dns'], cidr?: string): void {
    const zone = dns.zone.toLowerCase();
    this.zone = zone;
    this.records = new Map(dns.records.map((r) => [r.name.toLowerCase(), r.ips]));
    // Empty non-terminals: every name between a record and the zone exists (RFC 8020).
    this.parents = new Set();
    for (const name of this.records.keys()) {
      for (let n = name; n.endsWith(`.${zone}`);) {
        n = n.slice(n.indexOf('.') + 1);
        if (n === zone || this.parents.has(n)) break;
        this.parents.add(n);
      }
    }
    this.mesh = cidr ? ipaddr.IPv4.parseCIDR(cidr) : null;
  }

  /** A mesh client: inside the network's CIDR, or this machine itself. */
  private fromMesh(address: string): boolean {
    try {
      const a = ipaddr.process(address);
      if (a.range() === 'loopback') return true;
      return this.mesh !== null && a.kind() === 'ipv4' && (a as ipaddr.IPv4).match(this.mesh);
    } catch {
      return false;
    }
  }

  /**
   * The answer to one query as served, at most `udpMax` bytes when given: from the zone, or for
   * a name outside it forwarded to the upstreams when there are some (their answer relayed as
   * is, with the client's id; SERVFAIL when none comes in time), REFUSED when there are none.
   * Null: no answer at all (not DNS, or dropped because too many queries are already being
   * forwarded).
   */
  async respond(query: Buffer, udpMax?: number, from?: string): Promise<Buffer | null> {
    if (from !== undefined && !this.fromMesh(from)) return null;
    const d = this.decide(query);
    if (!d) return null;
    const size = udpMax === undefined ? undefined : Math.max(512, Math.min(udpMax, ednsSize(d.q)));
    if (d.local) return encodeWithin(d.local, size);
    if (!this.upstream) return encodeWithin(d.reply(rcode.REFUSED), size);
    // Never to ourselves: a resolv.conf naming this very address would loop.
    const self = this.bound ? { address: this.bound.host, port: this.bound.port } : undefined;
    const result = await this.upstream.forward(query, d.question, self);
    if (result === 'dropped') return null; // the client retries; a flood stays bounded
    if (result === 'unavailable') return encodeWithin(d.reply(rcode.REFUSED), size);
    if (result === 'timeout') {
      const servfail = d.reply(rcode.SERVFAIL);
      // Not authoritative for this name; recursion is what was attempted.
      servfail.flags = ((servfail.flags ?? 0) & ~dnsPacket.AUTHORITATIVE_ANSWER) | dnsPacket.RECURSION_AVAILABLE;
      return encodeWithin(servfail, size);
    }
    return result; // the upstream sized it for the client's own EDNS size (its query is relayed unchanged)
  }

  /**
   * Decodes a query; `local` is the packet to answer from the zone, absent when the name is
   * outside it (forward or refuse), and then `question` is the query's one question.
   */
  private decide(query: Buffer): ({ q: Packet; reply: Reply } & ({ local: Packet } | { local?: undefined; question: Question })) | null {
    let q: Packet;
    try {
      q = dnsPacket.decode(query);
    } catch {
      return null; // not DNS: stay silent, as resolvers do
    }
    if (q.type !== 'query') return null;
    const question = q.questions?.[0];
    const hasEdns = (q.additionals ?? []).some((a) => a.type === 'OPT');
    const reply: Reply = (code, answers = [], authorities = []) => ({
      id: q.id, type: 'response', flags: dnsPacket.AUTHORITATIVE_ANSWER | ((q.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | code,
      questions: q.questions, answers, authorities,
      // Echo EDNS when the client used it, so it knows the larger UDP size was honoured.
      additionals: hasEdns ? [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
    });
    if ((q.flags ?? 0) & 0x7800) return { q, reply, local: reply(rcode.NOTIMP) }; // opcode other than QUERY
    if (!question || q.questions!.length !== 1) return { q, reply, local: reply(rcode.FORMERR) };
    const local = this.resolve(question, reply);
    return local ? { q, reply, local } : { q, reply, question };
  }

  /** The zone's answer, or null for a name outside the zone. */
  private resolve(question: Question, reply: Reply): Packet | null {
    const name = question.name.toLowerCase().replace(/\.$/, '');
    const zone = this.zone;
    if (!zone || (name !== zone && !name.endsWith(`.${zone}`))) return null;
    if ((question.class ?? 'IN') !== 'IN') return reply(rcode.REFUSED);
    const soa: Answer = {
      type: 'SOA', name: zone, ttl: TTL,
      data: { mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 60, retry: 60, expire: 600, minimum: TTL },
    };
    if (name === zone && question.type === 'SOA') return reply(rcode.NOERROR, [soa]);
    const ips = this.records.get(name);
    if (!ips) return name === zone || this.parents.has(name) ? reply(rcode.NOERROR, [], [soa]) : reply(rcode.NXDOMAIN, [], [soa]);
    if (question.type !== 'A' && (question.type as string) !== 'ANY') return reply(rcode.NOERROR, [], [soa]); // NODATA
    const start = ips.length > 1 ? this.turn++ % ips.length : 0;
    const order = start === 0 ? ips : [...ips.slice(start), ...ips.slice(0, start)];
    return reply(rcode.NOERROR, order.map((ip) => ({ type: 'A', name: question.name, ttl: TTL, data: ip }) as Answer));
  }

  /** Binds UDP and TCP on host:port (port 0 picks one); rebinding closes the old sockets. */
  /**
   * UDP and TCP on one port. With port 0 the port is UDP's pick, which a TCP socket may hold
   * already (an outgoing connection's): then another pick, a few times.
   */
  async listen(host: string, port: number): Promise<number> {
    await this.close();
    for (let attempt = 1; ; attempt++) {
      const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      udp.on('message', (msg, rinfo) => {
        void this.respond(msg, 4096, rinfo.address).then((out) => {
          if (out && this.udp === udp) udp.send(out, rinfo.port, rinfo.address);
        });
      });
      await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(port, host, () => resolve()); });
      udp.on('error', () => {}); // a send error to one client must not kill the responder
      const actual = udp.address().port;
      const tcp = net.createServer((sock) => this.serveTcp(sock));
      try {
        await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(actual, host, () => resolve()); });
      } catch (error) {
        await new Promise<void>((r) => udp.close(() => r()));
        if (port === 0 && (error as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 10) continue;
        throw error;
      }
      this.udp = udp;
      this.tcp = tcp;
      this.bound = { host, port: actual };
      return actual;
    }
  }

  boundTo(): { host: string; port: number } | null {
    return this.bound;
  }

  async close(): Promise<void> {
    const { udp, tcp } = this;
    this.udp = this.tcp = this.bound = null;
    if (udp) await new Promise<void>((r) => udp.close(() => r()));
    if (tcp) await new Promise<void>((r) => tcp.close(() => r()));
  }

  private serveTcp(sock: net.Socket): void {
    if (!this.fromMesh(sock.remoteAddress ?? '')) return void sock.destroy();
    let buf = Buffer.alloc(0);
    sock.setTimeout(5000, () => sock.destroy());
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > 70_000) return sock.destroy(); // one query is never this large
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const query = Buffer.from(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        // Forwarded answers may come back out of order; clients match them by id (RFC 7766).
        void this.respond(query).then((out) => {
          if (out && !sock.destroyed && sock.writable) sock.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 255]), out]));
        });
      }
    });
  }
}

/** Connects the applier to the responder: new records, and a rebind when the private IP moves. */
export function dnsSink(responder: DnsResponder, port: number): DnsSink {
  return {
    serving: (listenIp) => responder.boundTo()?.host === listenIp,
    async update(listenIp, dns, cidr, rebind) {
      responder.setZone(dns, cidr);
      const b = responder.boundTo();
      if (b && b.host === listenIp && !rebind) return;
      try {
        await responder.listen(listenIp, port);
      } catch (e) {
        throw new Error(`DNS responder cannot listen on ${listenIp}:${port}: ${e instanceof Error ? e.message : String(e)} (see --dns-port)`);
      }
    },
  };
}

type Reply = (code: number, answers?: Answer[], authorities?: Answer[]) => Packet;

function ednsSize(q: Packet): number {
  const opt = q.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return opt?.udpPayloadSize ?? 512;
}

function encodeWithin(packet: Packet, max: number | undefined): Buffer {
  let out = dnsPacket.encode(packet);
  if (max === undefined || out.length <= max) return out;
  // Too big for UDP: as many answers as fit, TC set, so the client retries over TCP.
  const answers = packet.answers ?? [];
  const per = Math.max(1, Math.ceil((out.length - 12) / Math.max(1, answers.length)));
  let keep = Math.max(0, Math.floor((max - 12 - 300) / per));
  do {
    out = dnsPacket.encode({ ...packet, flags: (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: answers.slice(0, keep), authorities: [] });
  } while (out.length > max && keep-- > 0);
  return out;
}
