import type { z } from 'zod';
import { AppError } from '../errors';
import { getDb } from '../db/client';
import { env } from '../env';
import type { Operation, Principal } from '../auth/gate';
import { principalFromToken } from '../tokens/api-tokens';
import { sessionPrincipal } from '../auth/session';
import { clientIp } from './client-ip';

type Params = Record<string, string>;
type RouteContext = { params: Promise<Params> };

export const gatedRoute = Symbol('gatedRoute');

export function errorResponse(error: unknown): Response {
  if (error instanceof AppError) {
    return Response.json(
      { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } },
      { status: error.status },
    );
  }
  console.error(error);
  return Response.json({ error: { code: 'internal', message: 'Something went wrong on our side.' } }, { status: 500 });
}

export async function bearerPrincipal(request: Request): Promise<Principal | null> {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? principalFromToken(await getDb(), match[1]) : null;
}

async function jsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}

/**
 * A JSON API handler for one operation: bearer token, JSON body merged with the path
 * parameters, the gate, then the answer. Route files hold nothing but calls to this.
 */
export function apiRoute<S extends z.ZodType, R>(
  op: Operation<S, R>,
  options: {
    status?: number;
    body?: boolean;
    /** Nest the whole JSON body under this key (for bodies that are a free-form map). */
    wrapBody?: string;
    present?: (result: R) => unknown;
    query?: (url: URL) => Record<string, unknown>;
  } = {},
) {
  const handler = async (request: Request, context: RouteContext) => {
    try {
      // Reads also accept the dashboard's session cookie (same-origin polling); writes need a token,
      // so a cross-site form can never act with a user's cookie. A bad token never falls back to the cookie.
      const hasBearer = request.headers.has('authorization');
      const principal = hasBearer ? await bearerPrincipal(request) : request.method === 'GET' ? await sessionPrincipal() : null;
      if (!principal) return errorResponse(new AppError(401, 'unauthenticated', 'Send a valid API token: Authorization: Bearer <token>.'));
      const params = await context.params;
      const raw = options.body === false ? {} : await jsonBody(request);
      const body = options.wrapBody ? { [options.wrapBody]: raw } : raw;
      const extra = options.query?.(new URL(request.url)) ?? {};
      const input = body && typeof body === 'object' && !Array.isArray(body) ? { ...body, ...extra, ...params } : body;
      const result = await op.execute(principal, input, { ip: clientIp(request.headers, env().MESHPLANE_TRUSTED_PROXIES) });
      if (result === undefined) return new Response(null, { status: 204 });
      return Response.json(options.present ? options.present(result) : result, { status: options.status ?? 200 });
    } catch (error) {
      return errorResponse(error);
    }
  };
  return Object.assign(handler, { [gatedRoute]: op.name });
}
