import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { routeSpec } from '@/lib/server/http/api';
import { directApi, type RouteModule } from '@/lib/server/http/direct-api';
import { apiDocs } from '@/lib/server/openapi/registry';
import { securityHeaders } from '@/next.config';

/** A route module that records what it was called with. */
function fake(path: string, calls: { path: string; query: unknown }[]): RouteModule {
  const route = async (req: { query: unknown }) => { calls.push({ path, query: req.query }); };
  return Object.assign(route, { [routeSpec]: { path, handlers: {} } }) as unknown as RouteModule;
}

function request(url: string, headers: Record<string, string> = {}) {
  const set: Record<string, string> = {};
  const req = { url, headers: { host: 'mesh.test', ...headers }, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
  const res = { setHeader: (k: string, v: string) => { set[k] = v; } } as unknown as ServerResponse;
  return { req, res, set };
}

describe('the JSON API served by server.ts ahead of Next', () => {
  it('serves every route file of the OpenAPI registry at its own path', async () => {
    const calls: { path: string; query: unknown }[] = [];
    const serve = directApi(apiDocs.map((d) => fake(d.spec.path, calls)), { hostname: '127.0.0.1', port: 3000 });
    expect(apiDocs.length).toBeGreaterThan(25);
    for (const doc of apiDocs) {
      const url = doc.spec.path.replace(/\[(\w+)\]/g, (_, name: string) => `x-${name}`);
      const { req, res } = request(url);
      expect(await serve(req, res), url).toBe(true);
      expect(calls.pop()?.path).toBe(doc.spec.path);
    }
  });

  it('gives the path parameters (decoded) and the query in req.query, a static segment before a parameter, Next\'s headers', async () => {
    const calls: { path: string; query: unknown }[] = [];
    const serve = directApi([fake('/api/v1/things/[thingId]', calls), fake('/api/v1/things/special', calls)], { hostname: '127.0.0.1', port: 3000 });
    const a = request('/api/v1/things/a%20b?limit=5&thingId=not-this');
    expect(await serve(a.req, a.res)).toBe(true);
    expect(calls.pop()).toEqual({ path: '/api/v1/things/[thingId]', query: { limit: '5', thingId: 'a b' } });
    expect(a.set).toEqual(Object.fromEntries(securityHeaders.map((h) => [h.key, h.value])));
    expect(a.req.headers).toMatchObject({ 'x-forwarded-host': 'mesh.test', 'x-forwarded-port': '3000', 'x-forwarded-proto': 'http', 'x-forwarded-for': '127.0.0.1' });
    const proxied = request('/api/v1/things/special', { 'x-forwarded-proto': 'https' });
    expect(await serve(proxied.req, proxied.res)).toBe(true);
    expect(calls.pop()?.path).toBe('/api/v1/things/special');
    expect(proxied.req.headers['x-forwarded-proto']).toBe('https');
  });

  it('leaves to Next whatever is not exactly a route\'s path, writing nothing', async () => {
    const calls: { path: string; query: unknown }[] = [];
    const serve = directApi([fake('/api/v1/things/[thingId]', calls)], { hostname: '127.0.0.1', port: 3000 });
    for (const url of ['/api/v1/things/a/', '/api/v1/things/', '/api/v1//things/a', '/api/v1/things/%E0%A4%A', '/api/v1/nothing', '/projects', '/api/auth/session']) {
      const { req, res, set } = request(url);
      expect(await serve(req, res), url).toBe(false);
      expect(set).toEqual({});
    }
    expect(calls).toEqual([]);
  });
});
