import { describe, expect, it } from 'vitest';
import { decidePush } from './decide-push';
import { diffStates } from './diff';
import { generateSigningKey, signPayload, verifyEnvelope } from './signing';
import { randomState, seededRng } from './testing';
import type { Message } from './messages';
import type { NetworkState } from './network-state';

const key = generateSigningKey();
const other = generateSigningKey();
const verify = (e: unknown) => verifyEnvelope(e, key.publicKey);
const envelope = (message: Message, target: string, secretKey = key.secretKey) => ({ ...signPayload(message, secretKey), target });

describe('decidePush: the refusal rules every agent and stub share', () => {
  const v1 = randomState(seededRng(7));
  const me = v1.hosts[0].peerId;
  const v2: NetworkState = { ...v1, version: 2, hosts: v1.hosts.slice(0, -1) };
  const snapshot = (s: NetworkState): Message => ({ type: 'snapshot', networkId: s.networkId, version: s.version, state: s });

  it('applies a first snapshot, then a delta from the applied version', () => {
    const first = decidePush(null, envelope(snapshot(v1), me), me, { verify });
    expect(first).toMatchObject({ ok: true, next: { version: 1 } });
    const delta = decidePush(v1, envelope(diffStates(v1, v2), me), me, { verify });
    expect(delta.ok && delta.next.hosts.length).toBe(v1.hosts.length - 1);
  });

  it.each([
    ['junk', () => decidePush(v1, { payload: 1 }, me, { verify }), 400, 'malformed'],
    ['another key', () => decidePush(v1, envelope(snapshot(v2), me, other.secretKey), me, { verify }), 401, 'bad_signature'],
    ['another target', () => decidePush(v1, envelope(snapshot(v2), v1.hosts[1].peerId), me, { verify }), 421, 'wrong_target'],
    ['another network', () => decidePush(v1, envelope(snapshot({ ...v2, networkId: 'pn-other0000001' }), me), me, { verify }), 421, 'wrong_target'],
    ['not newer', () => decidePush(v2, envelope(snapshot(v1), me), me, { verify }), 409, 'stale'],
    ['a delta from elsewhere', () => decidePush(null, envelope(diffStates(v1, v2), me), me, { verify }), 409, 'need_snapshot'],
    ['no longer a host', () => decidePush(v1, envelope(snapshot({ ...v2, hosts: v2.hosts.slice(1) }), me), me, { verify }), 421, 'wrong_target'],
  ])('refuses %s', (_, decide, status, code) => {
    expect(decide()).toMatchObject({ ok: false, status, code });
  });

  it('says which version it holds when refusing a stale one', () => {
    expect(decidePush(v2, envelope(snapshot(v1), me), me, { verify })).toMatchObject({ appliedVersion: 2 });
  });
});
