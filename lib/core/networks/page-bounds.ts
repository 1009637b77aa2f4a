/*
 * What the network page shows at most, whatever the network's size (issue 19): a page of the
 * members, the policy matrix over the first members, the first devices. Counts say the rest.
 */
export const membersPerPage = 20;
export const matrixMembers = 12;
export const devicesShown = 50;
/** "My access": the caller's devices a page holds. */
export const devicesPerPage = 20;

export type PageSlice = { page: number; pages: number; from: number; to: number };

/** The members page asked for (?members=N, from 1), clamped to the pages there are. */
export const memberPage = (asked: string | string[] | undefined, total: number) => pageOf(asked, total, membersPerPage);

/** Page `asked` (a search parameter, from 1) of `total` items, `per` a page, clamped to the pages there are. */
export function pageOf(asked: string | string[] | undefined, total: number, per: number): PageSlice {
  const pages = Math.max(1, Math.ceil(total / per));
  const n = Number(Array.isArray(asked) ? asked[0] : asked);
  const page = Number.isInteger(n) && n >= 1 ? Math.min(n, pages) : 1;
  const from = (page - 1) * per;
  return { page, pages, from, to: Math.min(total, from + per) };
}
