import { createHash, timingSafeEqual } from 'node:crypto';

/*
 * The worker route is outside the user gate (like dub's withCron; gate-coverage.test.ts
 * lists every such route): it is called by cron with the shared WORKER_SECRET. Compared as SHA-256 digests so the
 * comparison is constant-time whatever the lengths. Answers the refusal, or null to go on.
 */
export function workerGuard(authorization: string | null, secret: string | undefined): Response | null {
  if (!secret) {
    return Response.json({ error: { code: 'worker_disabled', message: 'WORKER_SECRET is not set on the server: set it (16+ characters) to enable POST /api/worker.' } }, { status: 503 });
  }
  const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
  const digest = (s: string) => createHash('sha256').update(s).digest();
  if (!given || !timingSafeEqual(digest(given), digest(secret))) {
    return Response.json({ error: { code: 'unauthenticated', message: 'Send Authorization: Bearer $WORKER_SECRET.' } }, { status: 401, headers: { 'www-authenticate': 'Bearer' } });
  }
  return null;
}
