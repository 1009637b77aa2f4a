import { describe, expect, it } from 'vitest';
import { failureReason } from './process-metrics';

describe('failureReason', () => {
  it('turns the error the recorder stores into a short, bounded label', () => {
    // The words of delivery (answer.ts, deliver.ts, agent-target.ts): our own, never the remote's.
    expect(failureReason('agent could not apply version 7 (apply_failed; the agent\'s log says why)')).toBe('apply_failed');
    expect(failureReason('agent refused version 12: wrong_target')).toBe('wrong_target');
    expect(failureReason('timed out after 5 s')).toBe('timeout');
    expect(failureReason('connection refused')).toBe('connection_refused');
    expect(failureReason('HTTP status 502 without a protocol answer')).toBe('bad_answer');
    expect(failureReason('bad answer: appliedVersion is not a safe integer')).toBe('bad_answer');
    expect(failureReason('address not allowed: the agent URL\'s host is a loopback address')).toBe('address_not_allowed');
    expect(failureReason('TLS error (CERT_HAS_EXPIRED)')).toBe('tls');
    expect(failureReason('host name not found')).toBe('dns');
    expect(failureReason('host unreachable')).toBe('unreachable');
  });
});
