/*
 * Stub agents: one node:http server on loopback standing in for every host of the
 * benchmark. Host <peerId> is reached at http://127.0.0.1:PORT/h/<peerId> (the worker adds
 * /push). Each host follows the real agent's rules (docs/agent-protocol.md): Ed25519
 * signature checked with the real verifyEnvelope, then target, network, version (stale),
 * delta fromVersion (need_snapshot), own peer present; deltas applied with lib/protocol
 * applyDelta; the state kept in memory; the answer is the agent's
 * `{ appliedVersion, totals, peers: [wg show figures of at most 64 peers that shook hands] }`.
 *
 * What keeps 5,000 hosts in one process lightweight — every shortcut gives exactly the
 * result the plain path would:
 * - a signature is verified once per distinct payload (the worker sends the same signed
 *   bytes to every host): cached by signature, and reused only for the identical payload;
 * - a gzip body made of two members (the shared, signed head compressed once by the
 *   worker, then the host's small tail) is inflated once per distinct head: a known head is
 *   recognised by its bytes (compared in full) and its inflated text reused;
 * - states are immutable and shared: hosts at the same version hold the same object, and
 *   applyDelta runs once per (state, payload) pair rather than once per host.
 * Run as a child of bench/run.ts (IPC); it reports when hosts reach a version.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { answerChunks, configure, decide, hosts, record, refusal, stats, waitVersion, type Host } from './stub-host';
import { serveParent } from './ipc';

let server: http.Server | null = null;
let cpuMark = process.cpuUsage();

// ---- bodies ---------------------------------------------------------------------------

type Head = { raw: Buffer; text: string; parsed: { payload: string; signature: string } | null };
const heads = new Map<string, Head>(); // "split:crc:isize" of the head member → head
const headPattern = /^\{"payload":"([A-Za-z0-9+/=]*)","signature":"([A-Za-z0-9+/=]*)","target":"$/;

function tryGunzip(buf: Buffer): string | null {
  try { return gunzipSync(buf).toString('utf8'); } catch { return null; }
}

const splitKey = (raw: Buffer, p: number) => `${p}:${raw.readUInt32LE(p - 8)}:${raw.readUInt32LE(p - 4)}`;

/** Candidate starts of a last gzip member: the gzip magic within the body's last 512 bytes. */
function* splits(raw: Buffer) {
  for (let p = Math.max(18, raw.length - 512); p <= raw.length - 18; p++) {
    if (raw[p] === 0x1f && raw[p + 1] === 0x8b && raw[p + 2] === 8) yield p;
  }
}

/** The body as text, and the envelope fields when the head is a known one. */
function readGzip(raw: Buffer): { text: string; head?: Head; tail?: string } | null {
  for (const p of splits(raw)) {
    const head = heads.get(splitKey(raw, p));
    if (head && head.raw.equals(raw.subarray(0, p))) {
      const tail = tryGunzip(raw.subarray(p));
      if (tail !== null) return { text: head.text + tail, head, tail };
    }
  }
  const whole = tryGunzip(raw); // a multi-member stream inflates to the concatenation
  if (whole === null) return null;
  if (raw.length > 64 << 10) learnHead(raw);
  return { text: whole };
}

function learnHead(raw: Buffer) {
  for (const p of splits(raw)) {
    const text = tryGunzip(raw.subarray(0, p));
    if (text === null || tryGunzip(raw.subarray(p)) === null) continue;
    const m = headPattern.exec(text);
    heads.set(splitKey(raw, p), { raw: Buffer.from(raw.subarray(0, p)), text, parsed: m ? { payload: m[1], signature: m[2] } : null });
    while (heads.size > 6) heads.delete(heads.keys().next().value!);
    return;
  }
}

/** JSON.parse of the envelope, without re-parsing a known multi-megabyte head. */
function parseEnvelope(body: { text: string; head?: Head; tail?: string }): unknown {
  if (body.head?.parsed && body.tail !== undefined) {
    // head = {"payload":"P","signature":"S","target":"  so the envelope is {P, S, target}
    // exactly when the tail alone reads as {"target":"…"} with nothing else in it.
    try {
      const rest = JSON.parse(`{"target":"${body.tail}`) as Record<string, unknown>;
      if (Object.keys(rest).length === 1 && typeof rest.target === 'string') return { ...body.head.parsed, target: rest.target };
    } catch { /* fall through to the plain parse */ }
  }
  return JSON.parse(body.text);
}

// ---- the server -----------------------------------------------------------------------

async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
  stats.requests++;
  const send = (status: number, body: string) => {
    stats.answerBytes += body.length;
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  };
  const fail = (status: number, code: string, message: string, host?: Host) =>
    send(status, JSON.stringify(refusal(code, message, host)));
  const m = /^\/h\/([a-z]{2}-[0-9a-z]{1,40})\/push$/.exec(req.url ?? '');
  if (!m || req.method !== 'POST') return fail(404, 'not_found', 'no such agent');
  const peerId = m[1];
  let host = hosts.get(peerId);
  if (!host) hosts.set(peerId, (host = { state: null }));
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const body = req.headers['content-encoding'] === 'gzip' ? readGzip(raw) : { text: raw.toString('utf8') };
  if (!body) return fail(400, 'malformed', 'body is not valid gzip', host);
  let envelope: unknown;
  try { envelope = parseEnvelope(body); } catch { return fail(400, 'malformed', 'body is not JSON', host); }
  const decision = decide(host, envelope, peerId);
  if (!decision.ok) return fail(decision.status, decision.code, decision.message, host);
  record(host, decision.next);
  const answer = answerChunks(decision.next, peerId);
  const length = answer.reduce((n, c) => n + c.length, 0);
  stats.answerBytes += length;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': length });
  res.cork();
  for (const c of answer) res.write(c);
  res.end();
}

serveParent({
  async start(args: { port: number; signingPublicKey: string; talking: number | 'all' }) {
    configure(args);
    server = http.createServer((req, res) => {
      handle(req, res).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'internal', message: String(e) } }));
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => server!.once('error', reject).listen(args.port, '127.0.0.1', () => resolve()));
    return { port: args.port };
  },
  setTalking(args: { talking: number | 'all' }) {
    return configure(args);
  },
  waitVersion,
  stats() {
    const cpu = process.cpuUsage(cpuMark);
    cpuMark = process.cpuUsage();
    const snapshot = { ...stats, hosts: hosts.size, rss: process.memoryUsage().rss, cpuMs: (cpu.user + cpu.system) / 1000 };
    for (const k of ['requests', 'verifications', 'answerBytes'] as const) stats[k] = 0;
    return snapshot;
  },
});
