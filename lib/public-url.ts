/**
 * The address hosts reach the control plane at (MESHPLANE_PUBLIC_URL), for the commands the
 * pages show; null when the operator has not set it (the pages then say so rather than show
 * the browser's address, which a host may not reach).
 */
export function publicUrl(): string | null {
  const url = process.env.MESHPLANE_PUBLIC_URL?.trim();
  return url ? url.replace(/\/+$/, '') : null;
}
