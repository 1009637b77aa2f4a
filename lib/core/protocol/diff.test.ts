import { describe, expect, it } from 'vitest';
import { applyDelta, deviceFields, diffStates, hostFields } from './diff';
import { messageSchema } from './messages';
import { deviceEntrySchema, hostEntrySchema, networkStateSchema, normalizeState } from './network-state';
import { mutateState, randomState, seededRng } from './testing';

describe('diffStates / applyDelta', () => {
  it('applyDelta(a, diffStates(a, b)) equals b for 100 random changes', () => {
    const rng = seededRng(42);
    let a = randomState(rng, 10, 3);
    for (let i = 0; i < 100; i++) {
      const b = mutateState(rng, a);
      const delta = diffStates(a, b);
      expect(messageSchema.parse(delta)).toEqual(delta); // every delta is a valid message
      const applied = applyDelta(a, delta);
      expect(applied).toEqual(normalizeState(b));
      expect(networkStateSchema.parse(applied)).toEqual(applied);
      a = b;
    }
  });

  it('carries only what changed', () => {
    const rng = seededRng(7);
    const a = randomState(rng, 6, 2);
    const b = structuredClone(a);
    b.version = 2;
    b.hosts[0].endpoint = '198.51.100.77:51820';
    b.devices.pop();
    b.listenPort = 51999;
    const d = diffStates(a, b);
    expect(d.upsertHosts.map((h) => h.peerId)).toEqual([a.hosts[0].peerId]);
    expect(d.removeHosts).toEqual([]);
    expect(d.removeDevices).toEqual([a.devices[1].id]);
    expect(d.meta).toEqual({ listenPort: 51999 });
    expect(diffStates(a, { ...a, version: 3 }).meta).toBeUndefined();
  });

  it('a host behind NAT seen from a new address is a change (its seenFrom goes to the others\' firewalls)', () => {
    const a = randomState(seededRng(8), 4, 0);
    a.hosts[0].endpoint = null;
    a.hosts[0].seenFrom = '192.0.2.1';
    const b = structuredClone(a);
    b.version = 2;
    b.hosts[0].seenFrom = '192.0.2.2';
    expect(diffStates(a, b).upsertHosts).toEqual([b.hosts[0]]);
    expect(networkStateSchema.safeParse({ ...b, hosts: [{ ...b.hosts[0], seenFrom: 'nowhere' }] }).success).toBe(false);
  });

  it('refuses a delta that does not start at the state version or network', () => {
    const rng = seededRng(1);
    const a = randomState(rng);
    const b = mutateState(rng, a);
    const d = diffStates(a, b);
    expect(() => applyDelta(b, d)).toThrow(/does not apply/);
    expect(() => applyDelta({ ...a, networkId: 'pn-other0000000' }, d)).toThrow(/another network/);
    expect(() => diffStates(b, a)).toThrow(/newer/);
  });

  it('compares every field of a host and of a device, and sees a change in any one of them', () => {
    expect([...hostFields].sort()).toEqual(Object.keys(hostEntrySchema.shape).sort());
    expect([...deviceFields].sort()).toEqual(Object.keys(deviceEntrySchema.shape).sort());
    const a = randomState(seededRng(7), 3, 2);
    const h = a.hosts[1];
    const changed: Record<(typeof hostFields)[number], unknown> = {
      peerId: h.peerId, memberId: 'me-changed00000', kind: h.kind === 'addon' ? 'external' : 'addon', process: `${h.process}x`,
      number: h.number + 1, ip: '10.99.0.1', publicKey: h.publicKey ? null : 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=',
      endpoint: h.endpoint ? null : '192.0.2.9:51820', gateway: !h.gateway, names: [...h.names.slice(0, -1), 'other.mesh.internal'],
      seenFrom: h.seenFrom ? undefined : '198.51.100.7',
    };
    for (const field of hostFields.filter((f) => f !== 'peerId')) {
      const b = { ...a, version: a.version + 1, hosts: a.hosts.map((x) => (x === h ? { ...x, [field]: changed[field] } : x)) };
      expect(diffStates(a, b).upsertHosts.map((x) => x.peerId), field).toEqual([h.peerId]);
    }
    // A field left out equals one that is null, as in the JSON the agents read.
    const same = { ...a, version: a.version + 1, hosts: a.hosts.map((x) => ({ ...x, names: [...x.names] })) };
    expect(diffStates(a, same).upsertHosts).toEqual([]);
    const d = a.devices[0];
    for (const [field, value] of [['publicKey', 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg='], ['ip', '10.99.0.2'], ['name', 'other.mesh.internal']] as const) {
      const b = { ...a, version: a.version + 1, devices: a.devices.map((x) => (x === d ? { ...x, [field]: value } : x)) };
      expect(diffStates(a, b).upsertDevices.map((x) => x.id), field).toEqual([d.id]);
    }
  });

  it('diffs 5,000 hosts in well under the 500 ms budget', () => {
    const rng = seededRng(3);
    const a = randomState(rng, 5000, 100);
    const b = mutateState(rng, a);
    const t = performance.now();
    const d = diffStates(a, b);
    applyDelta(a, d);
    expect(performance.now() - t).toBeLessThan(400); // ~40 ms measured on 2 busy cores
  });
});
