import { env } from '@/lib/server/env';

/**
 * The address hosts reach this control plane at (MESHPLANE_PUBLIC_URL, checked in lib/server/env.ts):
 * scheme, host and port with no trailing '/', e.g. `https://mesh.example.com`. null when unset:
 * pages then say to set it instead of showing an address a host may not be able to use (the
 * browser's own origin is often `localhost` or behind a proxy).
 */
export function publicUrl(): string | null {
  return env().MESHPLANE_PUBLIC_URL ?? null;
}
