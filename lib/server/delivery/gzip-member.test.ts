import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { storedGzipMember } from './gzip-member';

describe('storedGzipMember', () => {
  it('is read by gunzip alone and after a compressed member, as one stream', () => {
    for (const text of ['', 'pe-abc"}', 'é→"}'.repeat(50)]) {
      const tail = Buffer.from(text);
      expect(gunzipSync(storedGzipMember(tail)).toString()).toBe(text);
      const head = gzipSync(Buffer.from('{"payload":"x","target":"'));
      expect(gunzipSync(Buffer.concat([head, storedGzipMember(tail)])).toString()).toBe(`{"payload":"x","target":"${text}`);
    }
  });

  it('holds data up to a stored block\'s limit, and more through zlib', () => {
    const big = Buffer.alloc(70_000, 'a');
    expect(gunzipSync(storedGzipMember(big)).equals(big)).toBe(true);
    expect(storedGzipMember(Buffer.alloc(100, 'b')).length).toBe(10 + 5 + 100 + 8); // header, block header, data, CRC and size
  });
});
