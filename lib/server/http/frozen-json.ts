/*
 * The JSON of frozen answers: SnapshotCache values, frozen all the way down (lib/server/peers/peers.ts)
 * and shared by every request that hits, each encoded once and kept with it. A reader that
 * builds its answer from parts it has encoded before (the devices list) files the bytes itself.
 */
const encoded = new WeakMap<object, Buffer>();

/** The answer's JSON; for a frozen answer, the bytes kept with it (encoded at the first request). */
export function jsonOf(body: unknown): Buffer {
  if (typeof body !== 'object' || body === null || !Object.isFrozen(body)) return Buffer.from(JSON.stringify(body));
  let bytes = encoded.get(body);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(body));
    encoded.set(body, bytes);
  }
  return bytes;
}

/** Whether these are the bytes kept with a frozen answer: shared, so worth compressing once. */
export const isKeptJson = (body: unknown, bytes: Buffer) => typeof body === 'object' && body !== null && encoded.get(body) === bytes;

/** Files `bytes` as the JSON of the frozen `value`; they must be exactly JSON.stringify(value). */
export function keepJson<T extends object>(value: T, bytes: Buffer): T {
  if (!Object.isFrozen(value)) throw new Error('only a frozen value keeps its JSON');
  encoded.set(value, bytes);
  return value;
}
