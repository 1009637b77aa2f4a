/*
 * Talking to the app like its users do: the JSON API with a bearer token, and a dashboard
 * session opened through next-auth's credentials callback (GET /api/auth/csrf, then
 * POST /api/auth/callback/credentials), as a cookie.
 */
import { now } from './stats';

export class Api {
  constructor(readonly base: string, private readonly token: string) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  /** Wall time of one request, body read to the end. */
  async timed(method: string, path: string, body?: unknown): Promise<{ ms: number; json: unknown }> {
    const t0 = now();
    const json = await this.call(method, path, body);
    return { ms: now() - t0, json };
  }
}

function cookiesOf(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair.indexOf('=');
    out.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return out;
}

export type Session = { name: string; value: string; header: string };

/** Signs in through next-auth; answers the session cookie. */
export async function signIn(base: string, email: string, password: string): Promise<Session> {
  const csrfRes = await fetch(`${base}/api/auth/csrf`, { signal: AbortSignal.timeout(30_000) });
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = cookiesOf(csrfRes);
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: '/' }),
    signal: AbortSignal.timeout(30_000),
  });
  await res.arrayBuffer();
  const session = [...cookiesOf(res)].find(([k]) => k.endsWith('authjs.session-token'));
  if (!session) throw new Error(`sign-in as ${email} failed: ${res.status} → ${res.headers.get('location')}`);
  return { name: session[0], value: session[1], header: `${session[0]}=${session[1]}` };
}

/** GETs a dashboard page with the session; wall time until the whole (streamed) body has arrived. */
export async function timedPage(base: string, path: string, session: Session): Promise<{ ms: number; ttfbMs: number; bytes: number }> {
  const t0 = now();
  const res = await fetch(`${base}${path}`, { headers: { cookie: session.header }, redirect: 'manual', signal: AbortSignal.timeout(60_000) });
  const ttfbMs = now() - t0;
  const body = await res.arrayBuffer();
  const ms = now() - t0;
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status} (${res.headers.get('location') ?? 'no redirect'})`);
  return { ms, ttfbMs, bytes: body.byteLength };
}
