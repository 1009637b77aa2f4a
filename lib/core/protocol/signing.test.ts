import { describe, expect, it } from 'vitest';
import { generateSigningKey, signPayload, verifyEnvelope } from './signing';
import { envelopeFor } from './testing';
import type { Message } from './messages';
import { randomState, seededRng } from './testing';

const key = generateSigningKey();
const other = generateSigningKey();
const state = randomState(seededRng(5));
const message: Message = { type: 'snapshot', networkId: state.networkId, version: state.version, state };

describe('signPayload / verifyEnvelope', () => {
  it('round-trips a signed message and keeps the target outside the signature', () => {
    const signed = signPayload(message, key.secretKey);
    for (const target of ['pe-aaaaaaaaaaaa', 'pe-bbbbbbbbbbbb']) {
      const r = verifyEnvelope(envelopeFor(signed, target), key.publicKey);
      expect(r).toEqual({ ok: true, message, target });
    }
    expect(verifyEnvelope(envelopeFor(signed, 'x'), Buffer.from(key.publicKey).toString('base64')).ok).toBe(true);
  });

  it('refuses unsigned, forged and tampered pushes as bad_signature', () => {
    const signed = signPayload(message, key.secretKey);
    const bad = (e: unknown) => verifyEnvelope(e, key.publicKey);
    expect(bad({ payload: signed.payload, target: 't' })).toMatchObject({ ok: false, code: 'bad_signature' });
    expect(bad({ ...signed, signature: '', target: 't' })).toMatchObject({ ok: false, code: 'bad_signature' });
    expect(bad({ ...signPayload(message, other.secretKey), target: 't' })).toMatchObject({ ok: false, code: 'bad_signature' });
    const tampered = Buffer.from(signed.payload, 'base64').toString().replace('"version":1', '"version":9');
    expect(bad({ ...signed, payload: Buffer.from(tampered).toString('base64'), target: 't' })).toMatchObject({ code: 'bad_signature' });
    expect(bad({ ...signed, signature: 'AAAA', target: 't' })).toMatchObject({ code: 'bad_signature' });
    expect(bad({ ...signed, signature: Buffer.alloc(64, 255).toString('base64'), target: 't' })).toMatchObject({ code: 'bad_signature' });
  });

  it('calls a broken envelope or a signed non-message malformed', () => {
    const bad = (e: unknown) => verifyEnvelope(e, key.publicKey);
    expect(bad('nope')).toMatchObject({ code: 'malformed' });
    expect(bad({ signature: 'x', target: 't' })).toMatchObject({ code: 'malformed' });
    expect(bad({ payload: '%%%', signature: 'x', target: 't' })).toMatchObject({ code: 'malformed' });
    const notAMessage = signPayload({ type: 'hello' } as unknown as Message, key.secretKey);
    expect(bad({ ...notAMessage, target: 't' })).toMatchObject({ code: 'malformed' });
  });
});
