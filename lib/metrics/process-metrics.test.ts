import { describe, expect, it } from 'vitest';
import { failureReason } from './process-metrics';

describe('failureReason', () => {
  it('turns the error the recorder stores into a short, bounded label', () => {
    expect(failureReason('agent refused version 7: apply_failed: nft: syntax error')).toBe('apply_failed');
    expect(failureReason('agent refused version 12: wrong_target')).toBe('wrong_target');
    expect(failureReason('timed out after 5 s')).toBe('timeout');
    expect(failureReason('connection refused')).toBe('connection_refused');
    expect(failureReason('agent answered HTTP 502 without a readable answer')).toBe('bad_answer');
    expect(failureReason('could not push: getaddrinfo ENOTFOUND host.invalid')).toBe('unreachable');
  });
});
