import { randomBytes } from 'node:crypto';

// Lower-case base32 without i, l, o, u: short, DNS-safe, unambiguous when read aloud.
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

export const idPrefixes = {
  user: 'us', project: 'pj', network: 'pn', application: 'ap', addon: 'ad', external: 'ex',
  peer: 'pe', device: 'dv', rule: 'fr', lease: 'ls', token: 'tk', invitation: 'iv', policyRule: 'pr', joinKey: 'jk',
} as const;

export function newId(kind: keyof typeof idPrefixes): string {
  const bytes = randomBytes(12);
  let out = '';
  for (const b of bytes) out += alphabet[b & 31];
  return `${idPrefixes[kind]}-${out}`;
}

export const idPattern = /^[a-z]{2}-[0-9a-z]{12}$/;
