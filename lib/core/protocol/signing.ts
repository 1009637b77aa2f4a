import { ed25519 } from '@noble/curves/ed25519.js';
import { type Message, envelopeSchema, messageSchema } from './messages';

/*
 * Ed25519 over exactly the UTF-8 JSON bytes that travel (base64 in `payload`): the agent
 * verifies the bytes before parsing them, so no canonical-JSON rules are needed, and one
 * signature serves every host of the network. `target` is outside the signature on purpose.
 */

export type SignedPayload = { payload: string; signature: string };

export type VerifyResult =
  | { ok: true; message: Message; target: string }
  | { ok: false; code: 'malformed' | 'bad_signature'; message: string };

export function signPayload(message: Message, secretKey: Uint8Array): SignedPayload {
  const bytes = Buffer.from(JSON.stringify(message), 'utf8');
  const signature = ed25519.sign(bytes, secretKey);
  return { payload: bytes.toString('base64'), signature: Buffer.from(signature).toString('base64') };
}

export function verifyEnvelope(envelope: unknown, pinnedPublicKey: Uint8Array | string): VerifyResult {
  const parsed = envelopeSchema.safeParse(envelope);
  if (!parsed.success) return { ok: false, code: 'malformed', message: 'envelope needs payload, signature and target strings' };
  const { payload, signature, target } = parsed.data;
  const bytes = strictBase64(payload);
  if (!bytes) return { ok: false, code: 'malformed', message: 'payload is not base64' };
  if (!signature) return { ok: false, code: 'bad_signature', message: 'unsigned push' };
  const sig = strictBase64(signature);
  const key = typeof pinnedPublicKey === 'string' ? strictBase64(pinnedPublicKey) : pinnedPublicKey;
  if (!key || key.length !== 32) throw new Error('pinned signing key is not a 32-byte Ed25519 public key');
  if (!sig || sig.length !== 64 || !safeVerify(sig, bytes, key)) {
    return { ok: false, code: 'bad_signature', message: 'signature does not match the pinned signing key' };
  }
  // Only signed bytes are parsed: a forger cannot reach the JSON parser or the schema.
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return { ok: false, code: 'malformed', message: 'payload is not JSON' };
  }
  const message = messageSchema.safeParse(json);
  if (!message.success) {
    const issue = message.error.issues[0];
    return { ok: false, code: 'malformed', message: `payload: ${issue?.path.join('.')} ${issue?.message}` };
  }
  return { ok: true, message: message.data, target };
}

export function generateSigningKey(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  return ed25519.keygen();
}

export function signingPublicKey(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}

function safeVerify(sig: Uint8Array, msg: Uint8Array, key: Uint8Array): boolean {
  try {
    return ed25519.verify(sig, msg, key);
  } catch {
    return false; // a malformed point or scalar is a bad signature, not a crash
  }
}

function strictBase64(s: string): Uint8Array | null {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  return new Uint8Array(Buffer.from(s, 'base64'));
}
