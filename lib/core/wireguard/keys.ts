import { x25519 } from '@noble/curves/ed25519.js';
import { z } from 'zod';

// WireGuard keys as `wg` writes them: 32 bytes in base64. This module runs in the browser
// too (device keys are made there, DESIGN.md "Keys"), so no node:crypto and no Buffer.

export type KeyPair = { privateKey: string; publicKey: string };

export const publicKeyMessage = 'A WireGuard public key is 32 bytes in base64 (44 characters)';

// 43 characters carry 258 bits for 256: the last one must leave its 2 low bits zero, which
// only these 16 characters do. `wg` refuses the others, so we do too.
const wireGuardKeyPattern = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export function isWireGuardKey(b64: string): boolean {
  return wireGuardKeyPattern.test(b64);
}

export const publicKeySchema = z.string().trim().refine(isWireGuardKey, publicKeyMessage);

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
