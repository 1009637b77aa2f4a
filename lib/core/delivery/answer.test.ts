import { describe, expect, it } from 'vitest';
import { judgeAnswer, peerHandshakesOf } from './answer';

const ok = (body: unknown) => judgeAnswer(200, body, 7);

describe('judgeAnswer', () => {
  it('an applied answer with its figures; extra fields are ignored', () => {
    expect(ok({ appliedVersion: 7, totals: { latestHandshake: '2030-01-02T03:04:05.000Z', rxBytes: 10, txBytes: 20 }, peers: [], drift: { x: 1 } }))
      .toEqual({ kind: 'applied', appliedVersion: 7, lastHandshakeAt: new Date('2030-01-02T03:04:05.000Z'), rxBytes: 10, txBytes: 20 });
    expect(ok({ appliedVersion: 7 })).toEqual({ kind: 'applied', appliedVersion: 7, lastHandshakeAt: null, rxBytes: 0, txBytes: 0 });
    expect(ok({ appliedVersion: 7, totals: { latestHandshake: null } })).toMatchObject({ kind: 'applied', lastHandshakeAt: null });
  });

  it('keeps the per-peer handshakes that parse, at most 64, and never refuses the answer for them', () => {
    const key = 'A'.repeat(43) + '=';
    expect(ok({ appliedVersion: 7, peers: [{ publicKey: key, latestHandshake: '2030-01-02T03:04:05.000Z' }, { publicKey: 'x', latestHandshake: 'y' }, 5] }))
      .toMatchObject({ kind: 'applied', peerHandshakes: [{ publicKey: key, at: new Date('2030-01-02T03:04:05.000Z') }] });
    const many = Array.from({ length: 100 }, () => ({ publicKey: key, latestHandshake: '2030-01-02T03:04:05.000Z' }));
    expect(peerHandshakesOf({ peers: many })).toHaveLength(64);
    expect(peerHandshakesOf({ peers: 'nope' })).toEqual([]);
  });

  it('versions are safe non-negative integers, never above what was sent', () => {
    expect(ok({ appliedVersion: 1e300 })).toEqual({ kind: 'bad', error: 'bad answer: appliedVersion is not a safe integer' });
    expect(ok({ appliedVersion: 1.5 })).toEqual({ kind: 'bad', error: 'bad answer: appliedVersion is not a safe integer' });
    expect(ok({ appliedVersion: -1 })).toEqual({ kind: 'bad', error: 'bad answer: appliedVersion is negative' });
    expect(ok({ appliedVersion: '7' })).toEqual({ kind: 'bad', error: 'bad answer: appliedVersion is not a number' });
    expect(ok({})).toEqual({ kind: 'bad', error: 'bad answer: appliedVersion is not a number' });
    expect(ok({ appliedVersion: 8 })).toEqual({ kind: 'bad', error: 'bad answer: appliedVersion 8 is above the version sent (7)' });
    expect(judgeAnswer(409, { error: { code: 'stale' }, appliedVersion: 9 }, 7)).toEqual({ kind: 'bad', error: 'bad answer: appliedVersion 9 is above the version sent (7)' });
    expect(judgeAnswer(500, { error: { code: 'apply_failed' }, appliedVersion: 1e300 }, 7)).toEqual({ kind: 'bad', error: 'bad answer: appliedVersion is not a safe integer' });
  });

  it('figures that the database could not hold are a bad answer', () => {
    expect(ok({ appliedVersion: 7, totals: { rxBytes: 2 ** 64 } })).toEqual({ kind: 'bad', error: 'bad answer: totals.rxBytes is not a safe integer' });
    expect(ok({ appliedVersion: 7, totals: { txBytes: -5 } })).toEqual({ kind: 'bad', error: 'bad answer: totals.txBytes is negative' });
    expect(ok({ appliedVersion: 7, totals: { latestHandshake: 'yesterday' } })).toEqual({ kind: 'bad', error: 'bad answer: totals.latestHandshake is not an ISO 8601 time' });
    expect(ok({ appliedVersion: 7, totals: { latestHandshake: '1900-01-01T00:00:00Z' } })).toEqual({ kind: 'bad', error: 'bad answer: totals.latestHandshake is out of range' });
  });

  it('not JSON, not an object, a redirect, another service: our words, never the body', () => {
    expect(ok(undefined)).toEqual({ kind: 'bad', error: 'HTTP status 200, bad answer: not JSON' });
    expect(ok([1])).toEqual({ kind: 'bad', error: 'HTTP status 200, bad answer: not a JSON object' });
    expect(ok(null)).toEqual({ kind: 'bad', error: 'HTTP status 200, bad answer: not a JSON object' });
    expect(judgeAnswer(302, undefined, 7)).toEqual({ kind: 'bad', error: 'HTTP status 302 (redirects are not followed)' });
    expect(judgeAnswer(403, { error: { code: 'AccessDenied', message: 'secret internal detail' } }, 7))
      .toEqual({ kind: 'bad', error: 'HTTP status 403 without a protocol answer' });
  });

  it('protocol refusals name the code only; stale at the version sent is applied', () => {
    expect(judgeAnswer(401, { error: { code: 'bad_signature', message: 'remote text' }, appliedVersion: 3 }, 7))
      .toEqual({ kind: 'refused', error: 'agent refused version 7: bad_signature', appliedVersion: null });
    expect(judgeAnswer(500, { error: { code: 'apply_failed', message: 'nft: …' }, appliedVersion: 6 }, 7))
      .toEqual({ kind: 'refused', error: 'agent could not apply version 7 (apply_failed; the agent\'s log says why)', appliedVersion: 6 });
    expect(judgeAnswer(409, { error: { code: 'need_snapshot' }, appliedVersion: 2 }, 7)).toEqual({ kind: 'need_snapshot' });
    expect(judgeAnswer(409, { error: { code: 'stale' }, appliedVersion: 7 }, 7)).toEqual({ kind: 'applied', appliedVersion: 7, lastHandshakeAt: null, rxBytes: null, txBytes: null });
    expect(judgeAnswer(409, { error: { code: 'stale' }, appliedVersion: 5 }, 7)).toMatchObject({ kind: 'bad' });
  });
});
