import type { DeltaMessage, DeltaMeta } from './messages';
import {
  type DeviceEntry, type HostEntry, type NetworkState, normalizeState,
} from './network-state';

/*
 * Deltas between two versions of one network. Linear in the number of hosts (one map per
 * side), so a change in a 5,000-host network stays cheap to compute.
 * Property (tested): applyDelta(a, diffStates(a, b)) deep-equals normalizeState(b).
 */

const metaKeys = ['cidr', 'listenPort', 'zone', 'deviceBlock'] as const;

export function diffStates(a: NetworkState, b: NetworkState): DeltaMessage {
  if (a.networkId !== b.networkId) throw new Error('cannot diff two different networks');
  if (a.version >= b.version) throw new Error('a delta must go to a newer version');
  const hosts = diffById(a.hosts, b.hosts, (h) => h.peerId, hostFields);
  const devices = diffById(a.devices, b.devices, (d) => d.id, deviceFields);
  const meta: DeltaMeta = {};
  for (const k of metaKeys) if (a[k] !== b[k]) Object.assign(meta, { [k]: b[k] });
  return {
    type: 'delta',
    networkId: b.networkId,
    fromVersion: a.version,
    version: b.version,
    upsertHosts: hosts.upsert,
    removeHosts: hosts.remove,
    upsertDevices: devices.upsert,
    removeDevices: devices.remove,
    allow: structuredClone(b.allow),
    ...(b.policy ? { policy: structuredClone(b.policy) } : {}),
    ...(Object.keys(meta).length > 0 ? { meta } : {}),
  };
}

/** Applies a delta to the exact state it was computed from; throws on any mismatch. */
export function applyDelta(state: NetworkState, delta: DeltaMessage): NetworkState {
  if (delta.networkId !== state.networkId) throw new Error('delta is for another network');
  if (delta.fromVersion !== state.version) {
    throw new Error(`delta from version ${delta.fromVersion} does not apply to version ${state.version}`);
  }
  const hosts = new Map(state.hosts.map((h) => [h.peerId, h]));
  for (const id of delta.removeHosts) hosts.delete(id);
  for (const h of delta.upsertHosts) hosts.set(h.peerId, h);
  const devices = new Map(state.devices.map((d) => [d.id, d]));
  for (const id of delta.removeDevices) devices.delete(id);
  for (const d of delta.upsertDevices) devices.set(d.id, d);
  const meta: DeltaMeta = {};
  for (const k of metaKeys) if (delta.meta?.[k] !== undefined) Object.assign(meta, { [k]: delta.meta[k] });
  const { policy: _previous, ...rest } = state;
  return normalizeState({
    ...rest,
    ...meta,
    version: delta.version,
    hosts: [...hosts.values()],
    devices: [...devices.values()],
    allow: delta.allow,
    ...(delta.policy ? { policy: delta.policy } : {}),
  });
}

function diffById<T>(from: T[], to: T[], idOf: (x: T) => string, fields: readonly (keyof T)[]) {
  const before = new Map(from.map((x) => [idOf(x), x]));
  const after = new Set<string>();
  const upsert: T[] = [];
  for (const x of to) {
    const id = idOf(x);
    after.add(id);
    const old = before.get(id);
    if (!old || !fields.every((f) => sameValue(old[f], x[f]))) upsert.push(x);
  }
  const remove = [...before.keys()].filter((id) => !after.has(id)).sort();
  return { upsert, remove };
}

/*
 * Every field of an entry, compared one by one: in a 20,000-host network this is about ten
 * times cheaper than comparing serialized keys (issue 19). Checked against the schemas' own
 * field lists in the tests, so a new field cannot be left out of the comparison.
 */
export const hostFields = ['peerId', 'memberId', 'kind', 'process', 'number', 'ip', 'publicKey', 'endpoint', 'gateway', 'names', 'seenFrom'] as const satisfies readonly (keyof HostEntry)[];
export const deviceFields = ['id', 'publicKey', 'ip', 'name'] as const satisfies readonly (keyof DeviceEntry)[];

/** Strings, numbers, booleans and arrays of strings (names); a missing field equals null, as in JSON. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return (a ?? null) === (b ?? null);
}
