import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextApiRequest, NextApiResponse } from 'next';
import { securityHeaders } from '../../../next.config';
import { routeSpec, type RouteSpec } from './api';

/*
 * The JSON API answered by server.ts itself, ahead of Next (issue 19): the same route files
 * (pages/api, each an apiRoutes() handler), matched here by their paths. Next's router, its
 * pages/api runtime and its tracing cost several times what a cached route itself costs per
 * request (a page of 100 peers: ~1.5 ms against ~0.3 ms of CPU); its pages/api chunks are not
 * even loaded. What Next adds to a request and an answer is added here too: the x-forwarded-*
 * headers it fills in, the security headers of next.config.ts (compression is the route's
 * own, lib/server/http/api.ts). Anything that is
 * not a route's path exactly (a trailing slash, a bad escape, an unknown path) goes on to
 * Next, which answers it as before.
 */

export type RouteModule = ((req: NextApiRequest, res: NextApiResponse) => Promise<void>) & { [routeSpec]: RouteSpec };

type Compiled = { route: RouteModule; segments: (string | { param: string })[]; shape: string };

/**
 * A dispatcher over these route modules: `serve(req, res)` answers the request and resolves
 * true, or resolves false at once (nothing written) when no route's path matches.
 */
export function directApi(routes: RouteModule[], server: { hostname: string; port: number }) {
  const table: Compiled[] = routes.map((route) => {
    const segments = route[routeSpec].path.split('/').slice(1).map((s) => /^\[\w+\]$/.test(s) ? { param: s.slice(1, -1) } : s);
    return { route, segments, shape: segments.map((s) => (typeof s === 'string' ? '0' : '1')).join('') };
  });
  // A static segment before a parameter where two paths first differ, as Next prefers them.
  table.sort((a, b) => (a.shape < b.shape ? -1 : a.shape > b.shape ? 1 : 0));

  function match(pathname: string): { route: RouteModule; params: Record<string, string> } | null {
    const parts = pathname.split('/').slice(1);
    for (const { route, segments } of table) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; ok && i < parts.length; i++) {
        const s = segments[i];
        if (typeof s === 'string') ok = s === parts[i];
        else if (parts[i] === '') ok = false;
        else params[s.param] = decodeURIComponent(parts[i]);
      }
      if (ok) return { route, params };
    }
    return null;
  }

  return async function serve(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = req.url ?? '';
    if (!url.startsWith('/api/v1/')) return false;
    const q = url.indexOf('?');
    let found: ReturnType<typeof match>;
    try {
      found = match(q < 0 ? url : url.slice(0, q));
    } catch {
      return false; // a malformed escape: Next's answer
    }
    if (!found) return false;
    for (const { key, value } of securityHeaders) res.setHeader(key, value);
    // The forwarding headers Next fills in when absent (next-auth reads the protocol there:
    // without it, it takes the request for https and names its cookies __Secure-…).
    const h = req.headers;
    h['x-forwarded-host'] ??= h.host ?? server.hostname;
    h['x-forwarded-port'] ??= String(server.port);
    h['x-forwarded-proto'] ??= (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    h['x-forwarded-for'] ??= req.socket.remoteAddress;
    // What a route reads of Next's request: the path parameters in req.query.
    const query: Record<string, string> = {};
    if (q >= 0) for (const [k, v] of new URLSearchParams(url.slice(q + 1))) query[k] ??= v;
    Object.assign(query, found.params);
    (req as IncomingMessage & { query: Record<string, string> }).query = query;
    await found.route(req as NextApiRequest, res as NextApiResponse);
    return true;
  };
}
