import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../db/client';
import { env } from '../env';
import { conflict } from '../errors';
import { deviceRange, peerRange } from '../../core/addressing';

type Network = { id: string; label: string; cidr: string };

function inUse(networkId: string, cooldownSeconds: number) {
  // Taken: held by someone, or released less than the cool-down ago.
  return sql`select 1 from ip_allocations a where a.network_id = ${networkId} and a.ip = candidate.ip
    and (a.owner_id is not null or a.released_at > now() - make_interval(secs => ${cooldownSeconds}))`;
}

/**
 * Takes `owners.length` free addresses for peers (lowest first) or devices (highest first,
 * inside the device block). Runs inside changeNetwork, whose row lock serializes
 * allocations per network; the primary key of ip_allocations is the safety net.
 */
export async function allocateAddresses(tx: Tx, network: Network, owners: string[], pool: 'peers' | 'devices'): Promise<string[]> {
  if (owners.length === 0) return [];
  const cooldown = env().MESHPLANE_ADDRESS_COOLDOWN_SECONDS;
  const range = pool === 'peers' ? peerRange(network.cidr) : deviceRange(network.cidr);
  const order = pool === 'peers' ? sql`asc` : sql`desc`;
  const free = await rows<{ ip: string }>(tx, sql`
    select host(candidate.ip) as ip from (
      select host(${network.cidr}::inet)::inet + g as ip, g from generate_series(${range.first}::bigint, ${range.last}::bigint) g
    ) candidate
    where not exists (${inUse(network.id, cooldown)})
    order by candidate.g ${order} limit ${owners.length}`);
  if (free.length < owners.length) {
    throw conflict(
      `Network ${network.label} is full: ${free.length} free ${pool === 'peers' ? 'host' : 'device'} ${free.length === 1 ? 'address' : 'addresses'}, ${owners.length} needed.`,
      undefined, 'network_full');
  }
  const values = free.map((f, i) => sql`(${network.id}, ${f.ip}::inet, ${owners[i]})`);
  const taken = await rows<{ ip: string }>(tx, sql`
    insert into ip_allocations (network_id, ip, owner_id) values ${sql.join(values, sql`, `)}
    on conflict (network_id, ip) do update set owner_id = excluded.owner_id, released_at = null
      where ip_allocations.owner_id is null and ip_allocations.released_at <= now() - make_interval(secs => ${cooldown})
    returning host(ip) as ip`);
  if (taken.length !== owners.length) throw conflict('Addresses changed while allocating; try again.', undefined, 'allocation_race');
  return free.map((f) => f.ip);
}

/** Starts the cool-down of addresses given back. */
export async function releaseAddresses(tx: Tx, networkId: string, ips: string[]) {
  if (ips.length === 0) return;
  await tx.execute(sql`update ip_allocations set owner_id = null, released_at = now()
    where network_id = ${networkId} and ip = any(${sql`array[${sql.join(ips.map((ip) => sql`${ip}::inet`), sql`, `)}]`})`);
}
