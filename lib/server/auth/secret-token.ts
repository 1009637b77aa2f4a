import { createHash, randomBytes } from 'node:crypto';

/** Bearer secrets (API, host and enrolment tokens): shown once, stored only as SHA-256. */
export function newSecretToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const secretTokenPattern = /^[a-z]{2,4}_[A-Za-z0-9_-]{43}$/;
