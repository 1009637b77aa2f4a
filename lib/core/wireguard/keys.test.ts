import { describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import {
  base64ToBytes, bytesToBase64, generateKeyPair, isWireGuardKey, publicKeyFromPrivate, publicKeyMessage,
} from './keys';
import { publicKeySchema } from '../devices/schemas';

// RFC 7748 section 6.1: Alice's private and public key.
const rfcPrivateHex = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
const rfcPublicHex = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

describe('generateKeyPair', () => {
  it('makes distinct, well-formed, matching pairs', () => {
    const pairs = Array.from({ length: 20 }, generateKeyPair);
    for (const { privateKey, publicKey } of pairs) {
      expect(isWireGuardKey(privateKey)).toBe(true);
      expect(isWireGuardKey(publicKey)).toBe(true);
      expect(publicKeyFromPrivate(privateKey)).toBe(publicKey);
    }
    expect(new Set(pairs.map((pair) => pair.privateKey)).size).toBe(20);
  });

  it('clamps private keys like wg genkey', () => {
    for (let i = 0; i < 20; i++) {
      const secret = base64ToBytes(generateKeyPair().privateKey);
      expect(secret[0] & 7).toBe(0);
      expect(secret[31] & 128).toBe(0);
      expect(secret[31] & 64).toBe(64);
    }
  });
});

describe('publicKeyFromPrivate', () => {
  it('matches the RFC 7748 test vector', () => {
    expect(publicKeyFromPrivate(hexToBase64(rfcPrivateHex))).toBe(hexToBase64(rfcPublicHex));
  });

  it('agrees with noble for unclamped keys (the curve clamps on use)', () => {
    const secret = new Uint8Array(32).fill(255);
    expect(publicKeyFromPrivate(bytesToBase64(secret))).toBe(bytesToBase64(x25519.getPublicKey(secret)));
  });

  it('refuses a malformed private key', () => {
    expect(() => publicKeyFromPrivate('not a key')).toThrow(/32 bytes in base64/);
  });
});

describe('base64 helpers', () => {
  it('agree with Buffer on every byte value and length', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const length of [0, 1, 2, 3, 31, 32, 33, 256]) {
      const slice = bytes.slice(0, length);
      expect(bytesToBase64(slice)).toBe(Buffer.from(slice).toString('base64'));
      expect(Array.from(base64ToBytes(bytesToBase64(slice)))).toEqual(Array.from(slice));
    }
  });
});

describe('isWireGuardKey and publicKeySchema', () => {
  const valid = hexToBase64(rfcPublicHex);

  it('accepts 32 bytes of canonical base64', () => {
    expect(valid).toHaveLength(44);
    expect(isWireGuardKey(valid)).toBe(true);
    expect(isWireGuardKey(bytesToBase64(new Uint8Array(32)))).toBe(true);
    expect(isWireGuardKey(bytesToBase64(new Uint8Array(32).fill(255)))).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['31 bytes', bytesToBase64(new Uint8Array(31))],
    ['33 bytes', bytesToBase64(new Uint8Array(33))],
    ['no padding', valid.slice(0, 43)],
    ['non-canonical last character', `${valid.slice(0, 42)}b=`],
    ['URL-safe alphabet', valid.replace(/[+/]/g, '-').slice(0, 42) + '-='],
    ['inner whitespace', `${valid.slice(0, 20)} ${valid.slice(21)}`],
    ['hex', rfcPublicHex],
  ])('refuses %s', (_, key) => {
    expect(isWireGuardKey(key)).toBe(false);
    const result = publicKeySchema.safeParse(key);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toBe(publicKeyMessage);
  });

  it('trims a pasted key', () => {
    expect(publicKeySchema.parse(`  ${valid}\n`)).toBe(valid);
  });
});
