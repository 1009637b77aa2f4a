/** A host whose channel called within this long is connected now: more than one long-poll hold (25 s) plus a reconnect. */
export const onlineWindowMs = 40_000;
