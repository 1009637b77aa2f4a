import { x25519 } from '@noble/curves/ed25519.js';

// WireGuard keys as `wg` writes them: 32 bytes in base64. This module runs in the browser
// too (device keys are made there, DESIGN.md "Keys"), so no node:crypto and no Buffer; and no
// zod (its schema is in lib/core/devices/schemas.ts), which would be ~100 KB of every page's script.

export type KeyPair = { privateKey: string; publicKey: string };

import { isWireGuardKey } from './key-format';

export { isWireGuardKey, publicKeyMessage } from './key-format';

export function generateKeyPair(): KeyPair {
  const secret = x25519.utils.randomSecretKey();
  // Clamp as `wg genkey` does, so our private keys look exactly like the tool's.
  secret[0] &= 248;
  secret[31] = (secret[31] & 127) | 64;
  const privateKey = bytesToBase64(secret);
  return { privateKey, publicKey: bytesToBase64(x25519.getPublicKey(secret)) };
}

/** The public key `wg pubkey` prints for this private key; throws on a malformed key. */
export function publicKeyFromPrivate(privateKey: string): string {
  if (!isWireGuardKey(privateKey)) throw new Error('A WireGuard private key is 32 bytes in base64 (44 characters)');
  return bytesToBase64(x25519.getPublicKey(base64ToBytes(privateKey)));
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function base64ToBytes(b64: string): Uint8Array {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
