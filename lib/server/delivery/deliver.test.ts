import { describe, expect, it } from 'vitest';
import { describe as classify } from './deliver';

const err = (code: string, message = 'getaddrinfo ENOTFOUND internal-db.corp 10.0.0.5:5432 <html>secret</html>') => Object.assign(new Error(message), { code });

describe('delivery errors', () => {
  it('are our own words from the error code, never the message', () => {
    expect(classify(err('ECONNREFUSED'), 5000).message).toBe('connection refused');
    expect(classify(err('ETIMEDOUT'), 5000).message).toBe('timed out after 5 s');
    expect(classify(err('EHOSTUNREACH'), 5000).message).toBe('host unreachable');
    expect(classify(err('ENOTFOUND'), 5000).message).toBe('host name not found');
    expect(classify(err('EAI_AGAIN'), 5000).message).toBe('host name not found');
    expect(classify(err('DEPTH_ZERO_SELF_SIGNED_CERT'), 5000).message).toBe('TLS error (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(classify(err('ERR_TLS_CERT_ALTNAME_INVALID'), 5000).message).toBe('TLS error (ERR_TLS_CERT_ALTNAME_INVALID)');
    expect(classify(err('ERR_SSL_WRONG_VERSION_NUMBER'), 5000).message).toBe('TLS error (ERR_SSL_WRONG_VERSION_NUMBER)');
    expect(classify(err('HPE_INVALID_CONSTANT'), 5000).message).toBe('bad answer: not HTTP');
    expect(classify(err('E_SOMETHING_ELSE'), 5000).message).toBe('could not connect');
    expect(classify(new Error('remote said <secret>'), 5000).message).toBe('could not connect');
  });
});
