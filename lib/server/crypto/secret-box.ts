import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/*
 * AES-256-GCM for the few secrets the database must hold in a recoverable form (the push
 * signing key). `context` is bound as associated data, so a sealed value copied into
 * another setting does not open. Format: v1.<iv>.<tag>.<ciphertext>, each base64.
 */

export class SecretBoxError extends Error {}

function keyBytes(key: string | Uint8Array): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'base64') : Buffer.from(key);
  if (bytes.length !== 32) throw new SecretBoxError('the encryption key must be 32 bytes');
  return bytes;
}

export function seal(plaintext: Uint8Array, key: string | Uint8Array, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(key), iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64'))).join('.');
}

export function open(sealed: string, key: string | Uint8Array, context: string): Uint8Array {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') throw new SecretBoxError('not a sealed value');
  const [iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, 'base64'));
  const decipher = createDecipheriv('aes-256-gcm', keyBytes(key), iv);
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch {
    throw new SecretBoxError('the sealed value does not open with this key (was MESHPLANE_ENCRYPTION_KEY changed?)');
  }
}
