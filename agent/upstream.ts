import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import dnsPacket, { type Question } from 'dns-packet';

/*
 * Forwarding of queries outside the network's zone to upstream resolvers, over UDP.
 *
 * WireGuard configs put `DNS = <a host's private IP>` so that the zone resolves; wg-quick then
 * sends every lookup of the machine there. The responder answers the zone itself and hands the
 * rest to an UpstreamForwarder, which relays the upstream's answer bytes unchanged except for
 * the id.
 *
 * - Upstreams are tried in order: the first at once, the next one when the previous has not
 *   answered after timeout/count ms (or at once when sending to it fails, e.g. ICMP
 *   unreachable); the first valid answer wins. No answer within the timeout → null (the
 *   responder answers SERVFAIL).
 * - Each attempt uses its own connected UDP socket (random source port, kernel-filtered source
 *   address) and a fresh random id; an answer counts only if it carries that id and the same
 *   question. Its sockets and timer are released as soon as the query is settled.
 * - At most `maxInFlight` queries are forwarded at once; beyond that forward() resolves to
 *   'dropped' without sending anything (the client retries), so a flood costs bounded memory
 *   and cannot be amplified.
 */

export interface Upstream { address: string; port: number }

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_MAX_IN_FLIGHT = 256;

/** `ADDR`, `ADDR:PORT`, `[V6]:PORT` or a bare IPv6 address; several separated by commas. Port 53 by default. */
export function parseUpstreams(values: string[]): Upstream[] {
  const out: Upstream[] = [];
  for (const item of values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean)) {
    let address = item;
    let port = 53;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
    const v4WithPort = /^([^:]+):(\d+)$/.exec(item);
    if (bracketed) {
      address = bracketed[1];
      if (bracketed[2] !== undefined) port = Number(bracketed[2]);
    } else if (v4WithPort) {
      address = v4WithPort[1];
      port = Number(v4WithPort[2]);
    }
    if (net.isIP(address.replace(/%.*$/, '')) === 0) throw new Error(`--dns-upstream: ${item} is not an IP address (ADDR[:PORT], [IPv6]:PORT)`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--dns-upstream: bad port in ${item}`);
    out.push({ address, port });
  }
  return out;
}

/** The `nameserver` lines of a resolv.conf text, in order (port 53). */
export function parseResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m && net.isIP(m[1].replace(/%.*$/, '')) !== 0) out.push({ address: m[1], port: 53 });
  }
  return out;
}

/** The system's resolvers from /etc/resolv.conf; none when the file is missing or unreadable. */
export function systemUpstreams(path = '/etc/resolv.conf'): Upstream[] {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

/** The answer; 'timeout' (no valid answer in time, or every upstream unreachable); 'dropped' (too many in flight); 'unavailable' (no upstream to ask). */
export type ForwardResult = Buffer | 'timeout' | 'dropped' | 'unavailable';

export class UpstreamForwarder {
  readonly upstreams: readonly Upstream[];
  readonly timeoutMs: number;
  readonly maxInFlight: number;
  private inFlight = 0;
  private openSockets = 0;
  private closed = false;
  private readonly cancels = new Set<() => void>();

  constructor(upstreams: Upstream[], opts: { timeoutMs?: number; maxInFlight?: number } = {}) {
    this.upstreams = upstreams;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  }

  /** Queries being forwarded and UDP sockets open right now (for tests and limits). */
  stats(): { inFlight: number; openSockets: number } {
    return { inFlight: this.inFlight, openSockets: this.openSockets };
  }

  /**
   * Forwards one query and resolves to the upstream's answer carrying the query's own id.
   * `query` is the raw bytes of a single-question QUERY that the responder has already decoded
   * (so at least a 12-byte header), and `asked` its one question: not decoded again here.
   * `skip` leaves out an upstream (the responder's own address, so a resolv.conf that points
   * at it cannot loop).
   */
  forward(query: Buffer, asked: Question, skip?: Upstream): Promise<ForwardResult> {
    const targets = this.upstreams.filter((u) => !(skip && u.port === skip.port && sameAddress(u.address, skip.address)));
    if (this.closed || targets.length === 0) return Promise.resolve('unavailable');
    if (this.inFlight >= this.maxInFlight) return Promise.resolve('dropped');
    this.inFlight++;
    const clientId = query.readUInt16BE(0);
    const id = randomInt(65536);
    const out = Buffer.from(query);
    out.writeUInt16BE(id, 0);
    const step = this.timeoutMs / targets.length;

    return new Promise<ForwardResult>((resolve) => {
      const sockets: dgram.Socket[] = [];
      const timers: NodeJS.Timeout[] = [];
      let next = 0;
      let failures = 0;
      let settled = false;
      const finish = (result: ForwardResult) => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) {
          try { s.close(); } catch { /* already closed */ }
        }
        this.cancels.delete(cancel);
        this.inFlight--;
        resolve(result);
      };
      const cancel = () => finish('timeout');
      this.cancels.add(cancel);

      const tryNext = () => {
        if (settled || next >= targets.length) return;
        const target = targets[next++];
        const isV6 = net.isIPv6(target.address.replace(/%.*$/, ''));
        const sock = dgram.createSocket(isV6 ? 'udp6' : 'udp4');
        this.openSockets++;
        sock.once('close', () => this.openSockets--);
        sockets.push(sock);
        let failed = false;
        const fail = () => {
          if (failed) return;
          failed = true;
          if (++failures === targets.length) finish('timeout'); // all unreachable: no point waiting
          else tryNext(); // this one is unreachable: go on to the next at once
        };
        sock.on('error', fail);
        sock.on('message', (msg) => {
          if (!settled && isAnswerTo(msg, id, asked)) {
            const relayed = Buffer.from(msg);
            relayed.writeUInt16BE(clientId, 0);
            finish(relayed);
          }
        });
        sock.connect(target.port, target.address, (err?: Error) => {
          if (settled) return;
          if (err) return fail();
          sock.send(out, (err) => { if (err) fail(); });
        });
        if (next < targets.length) timers.push(setTimeout(tryNext, step));
      };
      timers.push(setTimeout(() => finish('timeout'), this.timeoutMs));
      tryNext();
    });
  }

  /** Settles every pending query (as timed out) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const cancel of [...this.cancels]) cancel();
  }
}

function isAnswerTo(msg: Buffer, id: number, question: Question): boolean {
  if (msg.length < 12 || msg.readUInt16BE(0) !== id || (msg[2] & 0x80) === 0) return false;
  try {
    const q = dnsPacket.decode(msg).questions?.[0];
    // Names compare case-insensitively: clients (and resolvers) may randomise the case (0x20).
    return !!q && q.name.toLowerCase() === question.name.toLowerCase() && q.type === question.type
      && (q.class ?? 'IN') === (question.class ?? 'IN');
  } catch {
    return false;
  }
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const strip = (s: string) => s.replace(/%.*$/, '');
  if (!net.isIPv6(strip(a)) || !net.isIPv6(strip(b))) return false;
  const bl = new net.BlockList();
  bl.addAddress(strip(a), 'ipv6');
  return bl.check(strip(b), 'ipv6');
}
