import { applyDelta } from './diff';
import type { AgentErrorCode, Message } from './messages';
import type { NetworkState } from './network-state';
import type { VerifyResult } from './signing';

/**
 * What a host does with a signed envelope, before touching its system: the one statement of
 * the agent's refusal rules, used by the agent and by the test and bench stub agents alike.
 * `applied` is the state the host applied last (null before its first).
 */
export type PushDecision =
  | { ok: true; message: Message; next: NetworkState }
  | { ok: false; status: 400 | 401 | 409 | 421; code: AgentErrorCode; message: string; appliedVersion: number | null };

export interface DecideOptions {
  /** Checks the signature against the pinned key (`verifyEnvelope`), perhaps from a cache. */
  verify: (envelope: unknown) => VerifyResult;
  /** The state after `message`; the stubs pass a cached one (many hosts take the same step). */
  advance?: (applied: NetworkState | null, message: Message) => NetworkState;
  /** Whether `peerId` is a host of `state`; the stubs pass a cached set lookup. */
  isHost?: (state: NetworkState, peerId: string) => boolean;
}

const advanceOnce = (applied: NetworkState | null, message: Message) =>
  message.type === 'delta' ? applyDelta(applied!, message) : message.state;
const hasHost = (state: NetworkState, peerId: string) => state.hosts.some((h) => h.peerId === peerId);

export function decidePush(applied: NetworkState | null, envelope: unknown, peerId: string, options: DecideOptions): PushDecision {
  const appliedVersion = applied?.version ?? null;
  const refuse = (status: 400 | 401 | 409 | 421, code: AgentErrorCode, message: string): PushDecision =>
    ({ ok: false, status, code, message, appliedVersion });
  const v = options.verify(envelope);
  if (!v.ok) return refuse(v.code === 'malformed' ? 400 : 401, v.code, v.message);
  if (v.target !== peerId) return refuse(421, 'wrong_target', `this agent is ${peerId}, not ${v.target}`);
  const msg = v.message;
  if (applied && msg.networkId !== applied.networkId) return refuse(421, 'wrong_target', `this agent belongs to ${applied.networkId}`);
  if (appliedVersion !== null && msg.version <= appliedVersion) {
    return refuse(409, 'stale', `version ${msg.version} is not newer than applied ${appliedVersion}`);
  }
  if (msg.type === 'delta' && (!applied || msg.fromVersion !== applied.version)) {
    return refuse(409, 'need_snapshot', `delta from ${msg.fromVersion}, applied is ${appliedVersion ?? 'none'}`);
  }
  const next = (options.advance ?? advanceOnce)(applied, msg);
  if (!(options.isHost ?? hasHost)(next, peerId)) {
    return refuse(421, 'wrong_target', `${peerId} is not a host of ${next.networkId} at version ${next.version}`);
  }
  return { ok: true, message: msg, next };
}
