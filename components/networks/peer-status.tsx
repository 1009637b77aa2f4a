import { Badge } from '@/components/ui/card';

type StatusInput = {
  enrolled: boolean; pushState: string; appliedVersion: number; desiredVersion: number; lastError: string | null; lastHandshakeAt: string | Date | null;
  agentOk?: boolean | null; agentHealth?: string | null;
  online?: boolean; lastSeenAt?: string | Date | null;
};

/** Push status at a glance: behind the current version is always visible, with the reason. */
export function PeerStatus({ peer, showHealth = true }: { peer: StatusInput; showHealth?: boolean }) {
  if (!peer.enrolled) return <Badge>not enrolled</Badge>;
  const behind = peer.appliedVersion < peer.desiredVersion;
  const handshake = peer.lastHandshakeAt ? relative(new Date(peer.lastHandshakeAt)) : null;
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      {peer.pushState === 'failed' ? (
        <span title={peer.lastError ?? undefined}><Badge tone="red">failed · v{peer.appliedVersion}/{peer.desiredVersion}</Badge></span>
      ) : behind ? (
        // The stored state speaks of the last push; behind the current version it is pending again.
        <Badge tone="amber">{peer.pushState === 'sent' ? 'sending' : 'pending'} · v{peer.appliedVersion}/{peer.desiredVersion}</Badge>
      ) : (
        <Badge tone="green">applied · v{peer.appliedVersion}</Badge>
      )}
      <Liveness peer={peer} />
      {showHealth && peer.agentOk === false && <span title={peer.agentHealth ?? undefined}><Badge tone="red">unhealthy</Badge></span>}
      {peer.lastError && peer.pushState !== 'applied' && <span className="max-w-56 truncate text-xs text-red-700" title={peer.lastError}>{peer.lastError}</span>}
      {handshake && <span className="text-xs text-slate-500">handshake {handshake}</span>}
    </span>
  );
}

/** Connected over its channel now, or when it last was: at a glance, next to the push status. */
function Liveness({ peer }: { peer: StatusInput }) {
  if (peer.online) return <span className="text-xs font-medium text-green-700" data-testid="liveness">● online</span>;
  const seen = peer.lastSeenAt ? lastSeen(new Date(peer.lastSeenAt)) : 'never connected';
  return <span className="text-xs text-slate-500" data-testid="liveness">○ offline · {seen}</span>;
}

/** "last seen 3 min ago", in words a person reads at a glance. */
export function lastSeen(date: Date, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (seconds < 60) return `last seen ${seconds} s ago`;
  if (seconds < 5400) return `last seen ${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `last seen ${Math.round(seconds / 3600)} h ago`;
  return `last seen ${Math.round(seconds / 86_400)} days ago`;
}

function relative(date: Date) {
  const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}
