import type { Selector } from './schemas';

/*
 * Selectors to addresses, from the hosts of one network (with their members' tags). Pure:
 * the network document is built with it, and the reachability checker resolves its
 * question the same way.
 */

export type TaggedHost = { memberId: string; process: string; ip: string; tags: string[] };

export function resolveSelector(s: Selector, hosts: TaggedHost[], deviceBlock: string): string[] {
  switch (s.kind) {
    case 'devices': return [deviceBlock];
    case 'member': return hosts.filter((h) => h.memberId === s.memberId).map((h) => h.ip).sort();
    case 'process': return hosts.filter((h) => h.memberId === s.memberId && h.process === s.process).map((h) => h.ip).sort();
    case 'tag': return hosts.filter((h) => h.tags.includes(s.tag)).map((h) => h.ip).sort();
  }
}
