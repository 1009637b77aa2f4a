import { UsageError } from './errors';

/**
 * `web=2 worker=1` as a processes map. Names are left to the server (it knows the reserved
 * ones); counts must be whole numbers here, so `web=x` never reaches it.
 */
export function processCounts(pairs: readonly string[], what = 'process'): Record<string, number> {
  if (pairs.length === 0) throw new UsageError(`Name at least one ${what} and its count, e.g. web=2.`);
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const m = /^([^=\s]+)=(\d+)$/.exec(pair);
    if (!m) throw new UsageError(`"${pair}" is not NAME=COUNT (e.g. web=2): the count must be a whole number.`);
    if (m[1] in out) throw new UsageError(`${m[1]} is named twice.`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** Ids are a kind prefix and 12 base32 characters (DESIGN.md); catch a pasted label early. */
export function idArgument(value: string | undefined, prefix: string[], what: string): string {
  if (!value) throw new UsageError(`Give the ${what} id (${prefix.map((p) => `${p}-…`).join(' or ')}).`);
  if (!prefix.some((p) => value.startsWith(`${p}-`))) {
    throw new UsageError(`"${value}" is not a ${what} id: ids start with ${prefix.map((p) => `${p}-`).join(' or ')}.`);
  }
  return value;
}
