import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';

/**
 * Devices' liveness from what hosts report: the latest handshake per device public key, over
 * every host that listed it. One statement per batch of answers, matched on the devices'
 * unique key index; keys that are hosts' (hosts list each other too) match no device.
 */
export async function recordDeviceHandshakes(db: Db, list: { publicKey: string; at: Date }[]): Promise<void> {
  if (list.length === 0) return;
  const latest = new Map<string, Date>();
  for (const h of list) {
    const seen = latest.get(h.publicKey);
    if (!seen || h.at > seen) latest.set(h.publicKey, h.at);
  }
  const values = sql.join([...latest].map(([key, at]) => sql`(${key}, ${at.toISOString()}::timestamptz)`), sql`, `);
  await db.execute(sql`
    update devices d set last_handshake_at = greatest(d.last_handshake_at, v.at)
    from (values ${values}) as v(key, at)
    where d.public_key = v.key and d.last_handshake_at is distinct from greatest(d.last_handshake_at, v.at)`);
}
