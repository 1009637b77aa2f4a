import { sql, type SQL } from 'drizzle-orm';
import { rows, type Db } from '../db/client';
import { csv } from '../db/batch';
import { recordDeviceHandshakes } from '../devices/handshakes';
import type { PeerHandshake } from '../../core/delivery/answer';

/*
 * Claiming due hosts and recording what happened to their pushes.
 *
 * A host is due when it is enrolled with an agentUrl, behind its network's version, past its
 * backoff, not connected over its channel (channel.ts) and not claimed (or claimed by a round
 * that stopped heartbeating). Claims take row locks with
 * SKIP LOCKED, so concurrent rounds (replicas, the cron and a "Push now") split the work
 * and never take the same host. The claim time doubles as the claim's token: a round only
 * records a failure or clears a claim that is still its own; an applied version is always
 * recorded, and only ever raised (greatest), because it is a fact about the agent.
 */

export type Claim = { id: string; networkId: string; agentUrl: string; appliedVersion: number; knownVersion: number; token: string };

/** `onlineSince`: hosts whose channel called after this get their documents over it, not pushed. */
export type ClaimQuery = { now: Date; staleBefore: Date; onlineSince: Date; batch: number; networkId?: string; ignoreBackoff?: boolean; exclude: Iterable<string> };

const iso = (d: Date) => d.toISOString();

export async function claimDue(db: Db, q: ClaimQuery): Promise<Claim[]> {
  const found = await rows<{ id: string; network_id: string; agent_url: string; applied_version: string | number; config_version: string | number }>(db, claimStatement(q));
  const token = iso(q.now);
  return found.map((r) => ({
    id: r.id, networkId: r.network_id, agentUrl: r.agent_url, appliedVersion: Number(r.applied_version),
    knownVersion: Number(r.config_version), token,
  }));
}

/**
 * The claim as one statement (exported for its plan's test, test/integration/id-list-plans.test.ts).
 * The hosts already tried this round are excluded through a subquery, which PostgreSQL hashes
 * once: written as `not (p.id = any(string_to_array($1, ',')))`, a prepared statement's generic
 * plan split and searched the whole list again for every row, 6–11 s a claim of 500 once
 * 10,000 hosts had been tried in a round (issue 19).
 */
export function claimStatement(q: ClaimQuery): SQL {
  const token = iso(q.now);
  return sql`
    with due as (
      select p.id from peers p join networks n on n.id = p.network_id
      where p.agent_url is not null and p.applied_version < n.config_version
        and (${q.ignoreBackoff ?? false} or p.next_attempt_at <= ${token}::timestamptz)
        and (p.claimed_at is null or p.claimed_at < ${iso(q.staleBefore)}::timestamptz)
        and (p.last_seen_at is null or p.last_seen_at < ${iso(q.onlineSince)}::timestamptz)
        and (${q.networkId ?? null}::text is null or p.network_id = ${q.networkId ?? null})
        and p.id not in (select unnest(string_to_array(${csv(q.exclude)}, ',')))
      order by p.next_attempt_at, p.id
      limit ${q.batch}
      for update of p skip locked
    )
    update peers p set claimed_at = ${token}::timestamptz, push_state = 'sent'
    from due, networks n where p.id = due.id and n.id = p.network_id
    returning p.id, p.network_id, p.agent_url, p.applied_version, n.config_version`;
}

/** Renews the claims still held (same token) to `now`; answers the ids that are still ours. */
export async function renewClaims(db: Db, ids: string[], token: string, now: Date): Promise<string[]> {
  if (ids.length === 0) return [];
  const kept = await rows<{ id: string }>(db, sql`
    update peers set claimed_at = ${iso(now)}::timestamptz
    where id = any(string_to_array(${csv(ids)}, ',')) and claimed_at = ${token}::timestamptz returning id`);
  return kept.map((r) => r.id);
}

/** The agent's health from its answer; null when it sent none (no answer, an older agent): then what was recorded stays. */
export type AgentHealthRecord = { ok: boolean; reason: string | null; repairAt: Date | null; repair: string | null };
export type Applied = { id: string; token: string; appliedVersion: number; lastHandshakeAt: Date | null; rxBytes: number | null; txBytes: number | null; health?: AgentHealthRecord | null; peerHandshakes?: PeerHandshake[] };
/** `pending`: no answer (down, timed out), retried; `failed`: the agent answered with an error. */
export type Failed = { id: string; token: string; state: 'pending' | 'failed'; error: string; appliedVersion: number | null; health?: AgentHealthRecord | null };

export const healthValues = (h: AgentHealthRecord | null | undefined) => sql`${h ? h.ok : null}::boolean, ${h?.reason ?? null}::text,
  ${h?.repairAt ? iso(h.repairAt) : null}::timestamptz, ${h?.repair ?? null}::text`;
// Health only moves when the answer carried one; a repair only when the agent reports a newer one.
export const healthSet = sql.raw(`agent_ok = coalesce(v.ok, p.agent_ok),
      agent_health = case when v.ok is null then p.agent_health else v.reason end,
      last_repair = case when v.repair_at is not null and v.repair_at >= coalesce(p.last_repair_at, v.repair_at) then v.repair else p.last_repair end,
      last_repair_at = greatest(p.last_repair_at, v.repair_at)`);
/** Claims given back untouched (the host needs nothing, or its network is gone). */
export type Released = { id: string; token: string };

/** A health record as the columns of jsonb_to_recordset below (`v.ok`, `v.reason`, `v.repair_at`, `v.repair`: healthSet's). */
const healthFields = (h: AgentHealthRecord | null | undefined) =>
  ({ ok: h ? h.ok : null, reason: h?.reason ?? null, repair_at: h?.repairAt ? iso(h.repairAt) : null, repair: h?.repair ?? null });
const healthColumns = 'ok boolean, reason text, repair_at timestamptz, repair text';

/*
 * Thousands of answers are recorded in one statement, their values as one JSON parameter
 * (jsonb_to_recordset) rather than a VALUES list of ten parameters each: building, sending
 * and parsing 10,000 parameters cost more than the update itself.
 */

/** `overChannel`: answers that came over the host's channel, which is also its liveness and releases any claim. */
export async function recordApplied(db: Db, list: Applied[], now: Date, { overChannel = false } = {}) {
  if (list.length === 0) return;
  const values = JSON.stringify(list.map((a) => ({
    id: a.id, token: a.token, applied: a.appliedVersion, handshake: a.lastHandshakeAt ? iso(a.lastHandshakeAt) : null,
    rx: a.rxBytes, tx: a.txBytes, ...healthFields(a.health),
  })));
  await db.execute(sql`
    update peers p set
      applied_version = greatest(p.applied_version, v.applied),
      applied_at = case when v.applied > p.applied_version then ${iso(now)}::timestamptz else p.applied_at end,
      push_state = 'applied', attempts = 0, last_error = null, last_pushed_at = ${iso(now)}::timestamptz,
      next_attempt_at = ${iso(now)}::timestamptz,
      claimed_at = ${overChannel ? sql`null` : sql`case when p.claimed_at = v.token then null else p.claimed_at end`},${overChannel ? sql` last_seen_at = now(),` : sql``}
      last_handshake_at = coalesce(v.handshake, p.last_handshake_at),
      rx_bytes = coalesce(v.rx, p.rx_bytes), tx_bytes = coalesce(v.tx, p.tx_bytes), ${healthSet}
    from jsonb_to_recordset(${values}::jsonb) as v(id text, token timestamptz, applied bigint, handshake timestamptz, rx bigint, tx bigint, ${sql.raw(healthColumns)})
    where p.id = v.id`);
  await recordDeviceHandshakes(db, list.flatMap((a) => a.peerHandshakes ?? []));
}

/** attempts + 1 and the next try after 5 s, 10 s, 20 s … at most 10 minutes later. */
export async function recordFailed(db: Db, list: Failed[], now: Date) {
  if (list.length === 0) return;
  const values = JSON.stringify(list.map((f) => ({
    id: f.id, token: f.token, state: f.state, error: f.error.slice(0, 1000), applied: f.appliedVersion, ...healthFields(f.health),
  })));
  await db.execute(sql`
    update peers p set
      attempts = p.attempts + 1, push_state = v.state, last_error = v.error, claimed_at = null,
      last_pushed_at = ${iso(now)}::timestamptz,
      next_attempt_at = ${iso(now)}::timestamptz + make_interval(secs => least(600, 5 * power(2, least(p.attempts, 10)))),
      applied_version = greatest(p.applied_version, coalesce(v.applied, 0)), ${healthSet}
    from jsonb_to_recordset(${values}::jsonb) as v(id text, token timestamptz, state text, error text, applied bigint, ${sql.raw(healthColumns)})
    where p.id = v.id and p.claimed_at = v.token`);
}

export async function releaseClaims(db: Db, list: Released[]) {
  if (list.length === 0) return;
  const values = sql.join(list.map((r) => sql`(${r.id}, ${r.token}::timestamptz)`), sql`, `);
  await db.execute(sql`
    update peers p set claimed_at = null, push_state = case when p.push_state = 'sent' then 'pending' else p.push_state end
    from (values ${values}) as v(id, token) where p.id = v.id and p.claimed_at = v.token`);
}
