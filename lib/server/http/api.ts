import type { IncomingHttpHeaders } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { NextApiRequest, NextApiResponse } from 'next';
import type { z } from 'zod';
import { AppError, errorAnswer } from '../errors';
import { getDb } from '../db/client';
import { env } from '../env';
import type { Operation, Principal } from '../auth/gate';
import { principalFromToken } from '../tokens/api-tokens';
import { clientIp } from './client-ip';
import { readBody } from './body';
import { isKeptJson, jsonOf } from './frozen-json';
import { publicOrigin } from './origin';
import { readingOnce } from '../db/snapshot-cache';
import { apiRequestSeconds } from '../metrics/process-metrics';

/*
 * The JSON API under /api/v1 is served from pages/api: Next's API routes hand us Node's
 * request and response, which costs a third of what the app router's route handlers do
 * per request (measured on the peers list; README.md, Performance).
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Call = { req: NextApiRequest; res: NextApiResponse; params: Record<string, string>; url: URL };
type Answer = { status: number; body?: unknown };

export const gatedRoute = Symbol('gatedRoute');
type RouteOptions = { status?: number; body?: boolean; wrapBody?: string };
/** What lib/openapi reads off a handler: its operation (input schema) and how the body maps onto it. */
export type HandlerSpec = { op: Operation; options: RouteOptions };
export type ApiHandler = ((call: Call) => Promise<Answer>) & { [gatedRoute]: string; spec: HandlerSpec };
/** What lib/openapi reads off a route file's default export. */
export type RouteSpec = { path: string; handlers: Partial<Record<Method, ApiHandler>> };
export const routeSpec = Symbol('routeSpec');

function headerReader(headers: IncomingHttpHeaders) {
  return { get: (name: string) => { const v = headers[name.toLowerCase()]; return Array.isArray(v) ? v.join(', ') : v ?? null; } };
}

// Route files turn Next's own body parser off (`config`): the body is read here.
async function jsonBody(req: NextApiRequest, res: NextApiResponse): Promise<unknown> {
  const text = (await readBody(req, res)).toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}

/**
 * One method of a JSON API route over one operation: bearer token, JSON body merged with
 * the path parameters, the gate, then the answer.
 */
export function apiRoute<S extends z.ZodType, R>(
  op: Operation<S, R>,
  options: {
    status?: number;
    body?: boolean;
    /** Nest the whole JSON body under this key (for bodies that are a free-form map). */
    wrapBody?: string;
    /** `origin`: where the caller reached us, for links in the answer (lib/server/http/origin.ts). */
    present?: (result: R, call: { origin: string }) => unknown;
    query?: (url: URL) => Record<string, unknown>;
  } = {},
): ApiHandler {
  const handler = async ({ req, res, params, url }: Call): Promise<Answer> => {
    // Reads also accept the dashboard's session cookie (same-origin polling); writes need a token,
    // so a cross-site form can never act with a user's cookie. A bad token never falls back to the cookie.
    const authorization = req.headers.authorization;
    const principal: Principal | null = authorization !== undefined
      ? await bearerPrincipal(authorization)
      : req.method === 'GET' || req.method === 'HEAD' ? await sessionPrincipal(req, res) : null;
    if (!principal) throw new AppError(401, 'unauthenticated', 'Send a valid API token: Authorization: Bearer <token>.');
    const raw = options.body === false ? {} : await jsonBody(req, res);
    const body = options.wrapBody ? { [options.wrapBody]: raw } : raw;
    const extra = options.query?.(url) ?? {};
    const input = body && typeof body === 'object' && !Array.isArray(body) ? { ...body, ...extra, ...params } : body;
    const headers = headerReader(req.headers);
    const ip = clientIp(headers, env().MESHPLANE_TRUSTED_PROXIES);
    const result = await op.execute(principal, input, { ip });
    if (result === undefined) return { status: 204 };
    return { status: options.status ?? 200, body: options.present ? options.present(result, { get origin() { return publicOrigin(headers); } }) : result };
  };
  const { status, body, wrapBody } = options;
  return Object.assign(handler, { [gatedRoute]: op.name, spec: { op: op as unknown as Operation, options: { status, body, wrapBody } } });
}

/** The dashboard's cookie, through next-auth: loaded on the first such request (API clients never need it). */
async function sessionPrincipal(req: NextApiRequest, res: NextApiResponse): Promise<Principal | null> {
  const { apiSessionPrincipal } = await import('../auth/api-session');
  return apiSessionPrincipal(req, res);
}

async function bearerPrincipal(header: string): Promise<Principal | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? principalFromToken(await getDb(), match[1]) : null;
}

/**
 * Compressed as Next compresses its answers (gzip at its default level, from 1 KiB, when the
 * client accepts it), here so that a frozen answer is compressed once, not once per request.
 */
const gzipAsync = promisify(gzip);
const compressThreshold = 1024;
const gzipped = new WeakMap<Buffer, Promise<Buffer>>();

export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function gzipOf(bytes: Buffer, shared: boolean): Promise<Buffer> {
  if (!shared) return gzipAsync(bytes);
  let done = gzipped.get(bytes);
  if (done === undefined) {
    done = gzipAsync(bytes);
    gzipped.set(bytes, done);
  }
  return done;
}

/**
 * A pages/api route file's default export: its path (which names the path parameters, and
 * which a test holds to the file's place) and an apiRoute per method.
 */
export function apiRoutes(path: string, handlers: Partial<Record<Method, ApiHandler>>) {
  const paramNames = [...path.matchAll(/\[(\w+)\]/g)].map((m) => m[1]);
  const allow = Object.keys(handlers).join(', ');
  const route = async (req: NextApiRequest, res: NextApiResponse) => {
    const started = performance.now();
    const method = (req.method === 'HEAD' ? 'GET' : req.method) as Method;
    const handler = handlers[method];
    let answer: Answer;
    if (!handler) {
      res.setHeader('allow', allow);
      answer = { status: 405, body: { error: { code: 'method_not_allowed', message: `${req.method} is not allowed here; use ${allow}.` } } };
    } else {
      try {
        const params = Object.fromEntries(paramNames.map((name) => [name, String(req.query[name])]));
        const call = () => handler({ req, res, params, url: new URL(req.url ?? '/', 'http://api') });
        // A GET reads only: its cached reads (token, role, page) share one snapshot reading.
        answer = method === 'GET' ? await readingOnce(call) : await call();
      } catch (error) {
        answer = errorAnswer(error);
      }
    }
    res.statusCode = answer.status;
    apiRequestSeconds.observe({ route: path, method: req.method ?? '', status: String(answer.status) }, (performance.now() - started) / 1000);
    res.setHeader('cache-control', 'no-store');
    if (answer.body === undefined) {
      res.end();
      return;
    }
    const bytes = jsonOf(answer.body);
    res.setHeader('content-type', 'application/json');
    res.setHeader('vary', 'Accept-Encoding');
    if (bytes.length >= compressThreshold && acceptsGzip(req.headers['accept-encoding'])) {
      const packed = await gzipOf(bytes, isKeptJson(answer.body, bytes));
      res.setHeader('content-encoding', 'gzip');
      res.setHeader('content-length', packed.length);
      res.end(packed);
      return;
    }
    res.setHeader('content-length', bytes.length);
    res.end(bytes);
  };
  return Object.assign(route, { [routeSpec]: { path, handlers } satisfies RouteSpec });
}
