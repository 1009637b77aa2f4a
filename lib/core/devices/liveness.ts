// A device's liveness in words, from the latest handshake any host reported for its key.
// WireGuard re-handshakes every 2 minutes while traffic flows (and keepalives are 25 s), so
// a handshake within 3 minutes means the tunnel is up now.

export const connectedWithinMs = 180_000;

export type Liveness = { state: 'connected' | 'idle' | 'never'; text: string };

export function deviceLiveness(lastHandshakeAt: Date | string | null, now: Date = new Date()): Liveness {
  if (!lastHandshakeAt) return { state: 'never', text: 'never connected' };
  const ago = now.getTime() - new Date(lastHandshakeAt).getTime();
  if (ago < connectedWithinMs) return { state: 'connected', text: 'connected' };
  const minutes = Math.floor(ago / 60_000);
  if (minutes < 60) return { state: 'idle', text: `last handshake ${minutes} min ago` };
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return { state: 'idle', text: `last handshake ${hours} h ago` };
  return { state: 'idle', text: `last handshake ${Math.floor(hours / 24)} days ago` };
}
