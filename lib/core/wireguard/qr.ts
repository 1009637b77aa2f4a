// Whether a config fits in a QR code the WireGuard app can scan. Browser-safe.

export type QrLevel = 'L' | 'M' | 'Q' | 'H';

/** Largest byte-mode payload at version 40, per level (checked against qrcode.react's encoder). */
export const qrByteCapacity: Record<QrLevel, number> = { L: 2953, M: 2331, Q: 1663, H: 1273 };

// Sizes of a rendered client config (STACK-NOTES.md): about 330 B with one peer, about 160 B
// per further peer. Used only to say in words how many hosts a code can hold.
export const configBytesForOnePeer = 330;
export const configBytesPerFurtherPeer = 160;

export type QrFit = { fits: boolean; bytes: number; capacity: number };

export type QrAdvice =
  | { fits: true; level: 'M' | 'L'; bytes: number }
  | { fits: false; bytes: number; message: string };

/** UTF-8 bytes, which is what the encoder stores for text outside the alphanumeric set. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

export function qrFit(text: string, level: QrLevel): QrFit {
  const bytes = utf8Length(text);
  const capacity = qrByteCapacity[level];
  return { fits: bytes <= capacity, bytes, capacity };
}

/** About how many hosts' peers a config can list and still fit at this level. */
export function hostsThatFit(level: QrLevel): number {
  const spare = qrByteCapacity[level] - configBytesForOnePeer;
  return spare < 0 ? 0 : 1 + Math.floor(spare / configBytesPerFurtherPeer);
}

/**
 * The error-correction level to draw the code with: M if it fits (it survives a scuffed
 * screen better), else L; otherwise a sentence telling the user to download the file.
 */
export function qrAdvice(text: string, hostCount: number): QrAdvice {
  for (const level of ['M', 'L'] as const) {
    const fit = qrFit(text, level);
    if (fit.fits) return { fits: true, level, bytes: fit.bytes };
  }
  const bytes = utf8Length(text);
  const about = hostsThatFit('L');
  const hosts = `${hostCount} ${hostCount === 1 ? 'host' : 'hosts'}`;
  const message = hostCount > about
    ? `This config lists ${hosts}; a QR code holds about ${about}. Download the file instead.`
    : `This config is ${bytes} bytes; a QR code holds at most ${qrByteCapacity.L}. Download the file instead.`;
  return { fits: false, bytes, message };
}
