import { env } from '../env';
import { viaTrustedProxy } from './client-ip';

/**
 * The origin for links we hand out (invitations): AUTH_URL when the operator set it, else
 * the one the caller reached us at (Host, and X-Forwarded-Proto from a trusted proxy). Only
 * the caller sees the link made from their own request's headers.
 */
export function publicOrigin(headers: Pick<Headers, 'get'>): string {
  const e = env();
  if (e.AUTH_URL) return new URL(e.AUTH_URL).origin;
  const proxied = viaTrustedProxy(headers, e.MESHPLANE_TRUSTED_PROXIES);
  const proto = proxied ? (headers.get('x-forwarded-proto') ?? 'http').split(',')[0].trim() : 'http';
  const host = (proxied ? headers.get('x-forwarded-host') : null) ?? headers.get('host') ?? 'localhost';
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}
