import * as zlib from 'node:zlib';

/**
 * `data` as a gzip member of its own, stored uncompressed: RFC 1952's header and trailer around
 * one stored deflate block (RFC 1951, 3.2.4). For the few bytes that end each host's body after
 * the shared, compressed head (documents.ts): zlib's gzipSync costs about 8 µs and a deflate
 * state per call, 20,000 times a change in a 20,000-host network. Node before 20.15 has no
 * zlib.crc32: there, gzipSync.
 */
export function storedGzipMember(data: Buffer): Buffer {
  if (typeof zlib.crc32 !== 'function' || data.length > 0xffff) return zlib.gzipSync(data);
  const out = Buffer.alloc(10 + 5 + data.length + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]); // magic, deflate, no flags, no mtime, unknown OS
  out[10] = 1; // the final block, stored
  out.writeUInt16LE(data.length, 11);
  out.writeUInt16LE(~data.length & 0xffff, 13);
  data.copy(out, 15);
  out.writeUInt32LE(zlib.crc32(data) >>> 0, 15 + data.length);
  out.writeUInt32LE(data.length, 19 + data.length);
  return out;
}
