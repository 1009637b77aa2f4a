import { z } from 'zod';
import { wgKeySchema } from '../protocol/network-state';
import { agentErrorCodes } from '../protocol/messages';

/*
 * An agent's answer to a push (docs/agent-protocol.md, "Answers"), parsed strictly: whatever
 * sits at an agentUrl may answer anything, and nothing it says may reach the database
 * unchecked or be shown to a user verbatim. Pure: the outcome of one answer, or the plain
 * reason it is a bad one. Unknown extra fields are ignored (newer agents may add some).
 */


/** `peerHandshakes`: the latest handshake per peer key the agent listed (devices' liveness). */
export type Figures = { lastHandshakeAt: Date | null; rxBytes: number | null; txBytes: number | null; peerHandshakes?: PeerHandshake[] };
export type PeerHandshake = { publicKey: string; at: Date };

export type AnswerVerdict =
  | ({ kind: 'applied'; appliedVersion: number } & Figures)
  | { kind: 'need_snapshot' }
  | { kind: 'refused'; error: string; appliedVersion: number | null }
  | { kind: 'bad'; error: string };

const version = z.number({ error: 'is not a number' })
  .refine(Number.isSafeInteger, 'is not a safe integer')
  .refine((n) => n >= 0, 'is negative');
const bytes = version;
// Postgres keeps 4713 BC … 294276 AD; JS dates go further. A handshake is after 1970 and
// before 10000 (a four-digit year: what ISO strings and timestamptz both read back).
const moment = z.iso.datetime({ offset: true, error: 'is not an ISO 8601 time' })
  .transform((s) => new Date(s))
  .refine((d) => d.getTime() >= 0 && d.getUTCFullYear() <= 9999, 'is out of range');

export const totalsSchema = z.object({
  latestHandshake: moment.nullable().optional(),
  rxBytes: bytes.optional(),
  txBytes: bytes.optional(),
});

const appliedSchema = z.object({ appliedVersion: version, totals: totalsSchema.optional() });

// The agent lists at most 64 peers that completed a handshake (agent/apply.ts peerStats).
// Informative only: an entry that does not parse is dropped, never the answer.
const maxPeerHandshakes = 64;
const peerHandshakeSchema = z.object({ publicKey: wgKeySchema, latestHandshake: moment });

export function peerHandshakesOf(body: unknown): PeerHandshake[] {
  const list = (body as { peers?: unknown } | null)?.peers;
  if (!Array.isArray(list)) return [];
  const out: PeerHandshake[] = [];
  for (const entry of list.slice(0, maxPeerHandshakes)) {
    const p = peerHandshakeSchema.safeParse(entry);
    if (p.success) out.push({ publicKey: p.data.publicKey, at: p.data.latestHandshake });
  }
  return out;
}

const errorSchema = z.object({ error: z.object({ code: z.string() }) });
const stillAppliedSchema = z.object({ appliedVersion: version.nullable().optional() });

/**
 * The verdict on one answer to a push of `sent`. A version above `sent` is a lie (or another
 * network's): the agent can only have applied what we sent or what it ran before.
 */
export function judgeAnswer(status: number, body: unknown, sent: number): AnswerVerdict {
  if (status >= 300 && status < 400) return { kind: 'bad', error: `HTTP status ${status} (redirects are not followed)` };
  const notObject = body === null || typeof body !== 'object' || Array.isArray(body);
  if (status !== 200 && notObject) return { kind: 'bad', error: `HTTP status ${status} without a protocol answer` };
  if (body === undefined) return { kind: 'bad', error: `HTTP status ${status}, bad answer: not JSON` };
  if (notObject) return { kind: 'bad', error: `HTTP status ${status}, bad answer: not a JSON object` };

  if (status === 200) {
    const a = appliedSchema.safeParse(body);
    if (!a.success) return { kind: 'bad', error: badAnswer(a.error) };
    if (a.data.appliedVersion > sent) return { kind: 'bad', error: above('appliedVersion', a.data.appliedVersion, sent) };
    const t = a.data.totals;
    const handshakes = peerHandshakesOf(body);
    return {
      kind: 'applied', appliedVersion: a.data.appliedVersion,
      // Without totals (the agent could not read `wg show`) there are none: no handshake, no bytes.
      lastHandshakeAt: t?.latestHandshake ?? null, rxBytes: t?.rxBytes ?? 0, txBytes: t?.txBytes ?? 0,
      ...(handshakes.length ? { peerHandshakes: handshakes } : {}),
    };
  }

  const e = errorSchema.safeParse(body);
  if (!e.success) return { kind: 'bad', error: `HTTP status ${status} without a protocol answer` };
  const code = e.data.error.code;
  if (!(agentErrorCodes as readonly string[]).includes(code)) return { kind: 'bad', error: `HTTP status ${status} without a protocol answer` };
  const v = stillAppliedSchema.safeParse(body);
  if (!v.success) return { kind: 'bad', error: badAnswer(v.error) };
  const applied = v.data.appliedVersion ?? null;
  if (applied !== null && applied > sent) {
    // An agent ahead of what we sent (409 stale) would mean it ran a version we never made.
    return { kind: 'bad', error: above('appliedVersion', applied, sent) };
  }
  if (status === 409 && code === 'stale') {
    // The agent already runs this version (a retry after a lost answer): applied, no figures.
    if (applied === sent) return { kind: 'applied', appliedVersion: sent, lastHandshakeAt: null, rxBytes: null, txBytes: null };
    return { kind: 'bad', error: `bad answer: stale, but appliedVersion is ${applied ?? 'missing'}, not ${sent}` };
  }
  if (status === 409 && code === 'need_snapshot') return { kind: 'need_snapshot' };
  // Only an apply_failed answer is known to speak of this network's versions (a wrong_target
  // agent may be at version 500 of another one), so only it may raise what we record. The
  // agent's message stays in the agent's log: it is remote text, never shown here.
  const error = code === 'apply_failed'
    ? `agent could not apply version ${sent} (apply_failed; the agent's log says why)`
    : `agent refused version ${sent}: ${code}`;
  return { kind: 'refused', error, appliedVersion: code === 'apply_failed' ? applied : null };
}

function badAnswer(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.join('.');
  return `bad answer: ${where ? `${where} ` : ''}${issue.message}`;
}

const above = (field: string, got: number, sent: number) => `bad answer: ${field} ${got} is above the version sent (${sent})`;
