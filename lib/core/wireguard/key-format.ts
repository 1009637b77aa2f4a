// What a WireGuard key looks like, apart from the key math (keys.ts): pages that only check or
// print keys do not load X25519 with them.

export const publicKeyMessage = 'A WireGuard public key is 32 bytes in base64 (44 characters)';

// 43 characters carry 258 bits for 256: the last one must leave its 2 low bits zero, which
// only these 16 characters do. `wg` refuses the others, so we do too.
const wireGuardKeyPattern = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export function isWireGuardKey(b64: string): boolean {
  return wireGuardKeyPattern.test(b64);
}
