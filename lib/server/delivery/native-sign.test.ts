import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { generateSigningKey, signPayload } from '../../core/protocol/signing';
import type { Message } from '../../core/protocol/messages';
import { signPayloadNative } from './native-sign';

describe('signPayloadNative', () => {
  it('signs exactly as signPayload does, and the agent verifies it', () => {
    const { secretKey, publicKey } = generateSigningKey();
    const message = {
      type: 'delta', networkId: 'pn-aaaaaaaaaaaa', fromVersion: 1, version: 2,
      hosts: { added: [], removed: ['pe-bbbbbbbbbbbb'], changed: [] }, devices: { added: [], removed: [], changed: [] },
    } as unknown as Message;
    const native = signPayloadNative(message, secretKey);
    expect(native).toEqual(signPayload(message, secretKey));
    const other = generateSigningKey();
    expect(signPayloadNative(message, other.secretKey).signature).not.toBe(native.signature);
    expect(ed25519.verify(Buffer.from(native.signature, 'base64'), Buffer.from(native.payload, 'base64'), publicKey)).toBe(true);
  });
});
