import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { recordDeviceHandshakes } from '../devices/handshakes';
import { invalid } from '../errors';
import { peerHandshakesOf, totalsSchema } from '../../core/delivery/answer';
import { healthSet, healthValues } from './claims';
import { authenticateHost } from './host-auth';
import { healthOf } from './push-host';

/*
 * What an agent reports over its channel between documents (docs/agent-protocol.md,
 * "Reports"): its health and last repair when they change, and its WireGuard handshakes
 * (totals and at most 64 peers, as in an answer) when they moved. The same parsers and the
 * same SQL as a push's answer (healthOf, totals, peerHandshakesOf, healthSet), so a host
 * with no push port reads on its page exactly as a pushed one: "repaired 2 min ago: …".
 * Nothing here touches versions or push state: a report is not an answer to anything.
 */

const reportSchema = z.object({
  health: z.unknown().optional(),
  totals: totalsSchema.optional(),
  peers: z.unknown().optional(),
});

// POST /api/agent/v1/report: {health?, totals?, peers?} from the agent (host token)
export async function recordAgentReport(db: Db, authorization: string | null, raw: unknown): Promise<{ recorded: string[] }> {
  const host = await authenticateHost(db, authorization);
  const parsed = reportSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.') || undefined;
    throw invalid(`Send {health?, totals?, peers?}: ${field ? `${field} ` : ''}${issue.message}`, field);
  }
  const body = parsed.data;
  const health = body.health === undefined ? null : healthOf(body);
  if (body.health !== undefined && !health) throw invalid('health: not the agent health object (docs/agent-protocol.md)', 'health');
  const t = body.totals;
  const handshake = t?.latestHandshake ?? null;
  await db.execute(sql`
    update peers p set
      last_seen_at = now(),
      last_handshake_at = case when v.handshake is not null and (p.last_handshake_at is null or v.handshake > p.last_handshake_at) then v.handshake else p.last_handshake_at end,
      rx_bytes = coalesce(v.rx, p.rx_bytes), tx_bytes = coalesce(v.tx, p.tx_bytes), ${healthSet}
    from (values (${host.peerId}, ${handshake ? handshake.toISOString() : null}::timestamptz, ${t?.rxBytes ?? null}::bigint,
      ${t?.txBytes ?? null}::bigint, ${healthValues(health)})) as v(id, handshake, rx, tx, ok, reason, repair_at, repair)
    where p.id = v.id`);
  const handshakes = peerHandshakesOf(body);
  await recordDeviceHandshakes(db, handshakes);
  return { recorded: [...(health ? ['health'] : []), ...(t ? ['totals'] : []), ...(handshakes.length ? ['peers'] : [])] };
}
