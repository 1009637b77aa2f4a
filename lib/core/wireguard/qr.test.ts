import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { QRCodeSVG } from 'qrcode.react';
import { renderClientConfig } from './client-config';
import { generateKeyPair } from './keys';
import { hostsThatFit, qrAdvice, qrByteCapacity, qrFit, utf8Length, type QrLevel } from './qr';

// qrcode.react keeps its encoder private; drawing the SVG runs it and throws when the text is too long.
function encoderAccepts(text: string, level: QrLevel): boolean {
  try {
    renderToStaticMarkup(createElement(QRCodeSVG, { value: text, level }));
    return true;
  } catch (error) {
    if (error instanceof RangeError && /Data too long/.test(error.message)) return false;
    throw error;
  }
}

// Lower-case letters are outside the alphanumeric set, so the encoder uses byte mode.
const levels = ['L', 'M', 'Q', 'H'] as const;

describe('qrByteCapacity matches the encoder inside qrcode.react', () => {
  it.each(levels)('level %s: the capacity encodes, one byte more does not', (level) => {
    const capacity = qrByteCapacity[level];
    expect(encoderAccepts('a'.repeat(capacity), level)).toBe(true);
    expect(encoderAccepts('a'.repeat(capacity + 1), level)).toBe(false);
    expect(qrFit('a'.repeat(capacity), level)).toEqual({ fits: true, bytes: capacity, capacity });
    expect(qrFit('a'.repeat(capacity + 1), level).fits).toBe(false);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const text = `a${'é'.repeat((qrByteCapacity.L - 1) / 2)}`; // 2,953 bytes, 1,477 characters
    expect(utf8Length(text)).toBe(qrByteCapacity.L);
    expect(encoderAccepts(text, 'L')).toBe(true);
    expect(encoderAccepts(`${text}a`, 'L')).toBe(false);
    expect(qrFit(`${text}a`, 'L')).toEqual({ fits: false, bytes: 2954, capacity: 2953 });
  });
});

describe('hostsThatFit', () => {
  it('gives the numbers STACK-NOTES reports: about 17 hosts at L, 13 at M', () => {
    expect(hostsThatFit('L')).toBe(17);
    expect(hostsThatFit('M')).toBe(13);
  });
});

describe('qrAdvice', () => {
  it('prefers M, falls back to L', () => {
    expect(qrAdvice('a'.repeat(2331), 13)).toEqual({ fits: true, level: 'M', bytes: 2331 });
    expect(qrAdvice('a'.repeat(2332), 14)).toEqual({ fits: true, level: 'L', bytes: 2332 });
    expect(qrAdvice('a'.repeat(2953), 17)).toMatchObject({ fits: true, level: 'L' });
  });

  it('explains in words when the config lists too many hosts', () => {
    expect(qrAdvice('a'.repeat(6000), 37)).toEqual({
      fits: false,
      bytes: 6000,
      message: 'This config lists 37 hosts; a QR code holds about 17. Download the file instead.',
    });
  });

  it('explains in bytes when few hosts still do not fit', () => {
    const advice = qrAdvice('a'.repeat(3000), 1);
    expect(advice).toMatchObject({ fits: false });
    if (!advice.fits) expect(advice.message).toBe('This config is 3000 bytes; a QR code holds at most 2953. Download the file instead.');
  });

  it('agrees with the encoder on real configs of growing size', () => {
    const { privateKey } = generateKeyPair();
    for (const hosts of [1, 5, 13, 14, 17, 18, 25]) {
      const peers = Array.from({ length: hosts }, (_, i) => ({
        publicKey: generateKeyPair().publicKey,
        endpoint: `203.0.113.${i + 1}:51820`,
        allowedIps: [`10.64.0.${i + 1}/32`],
      }));
      const text = renderClientConfig({ privateKey, addresses: ['10.64.255.254/16'], dns: ['10.64.0.1'], peers });
      const advice = qrAdvice(text, hosts);
      expect(encoderAccepts(text, 'L')).toBe(qrFit(text, 'L').fits);
      if (advice.fits) expect(encoderAccepts(text, advice.level)).toBe(true);
      // Our rendering is leaner than the 330 B + 160 B per peer estimate, never larger.
      expect(utf8Length(text)).toBeLessThanOrEqual(330 + 160 * (hosts - 1));
    }
  });
});
