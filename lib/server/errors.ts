/** Expected failures: each carries the HTTP status and API code it maps to. */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 429,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string, field?: string) => new AppError(400, 'invalid', message, field);
export const unauthenticated = () => new AppError(401, 'unauthenticated', 'Sign in or send a valid API token.');
export const forbidden = (message = 'Your role in this project does not allow this.') => new AppError(403, 'forbidden', message);
export const notFound = (what = 'Resource') => new AppError(404, 'not_found', `${what} not found.`);
export const conflict = (message: string, field?: string, code = 'conflict') => new AppError(409, code, message, field);
export const tooManyRequests = (message: string) => new AppError(429, 'rate_limited', message);

type ErrorBody = { error: { code: string; message: string; field?: string } };

// Errors that say the database cannot be reached now, rather than that a query is wrong:
// the socket's (Node), postgres.js's own, and PostgreSQL's connection, shutdown, starting-up
// and too-many-connections states (SQLSTATE class 08, 57P01-03, 53300).
const unreachableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
  '57P01', '57P02', '57P03', '53300',
]);

/** The code that makes `error` (or an error it wraps) a database that cannot be reached, if any. */
export function unreachableCode(error: unknown): string | undefined {
  let e = error as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    if ((e as unknown) instanceof TypeError && (e as unknown as Error).message === 'fetch failed') return undefined; // an HTTP call's (an agent), not the database's
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (unreachableCodes.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return code;
    e = (e.cause ?? e.errors?.[0]) as typeof e;
  }
  return undefined;
}

/**
 * The API's answer to a thrown error: an AppError as its status and code, a database that
 * cannot be reached as 503 `unavailable`, anything else as a logged 500. Here (no next-auth, no db) so the routes outside the gate answer the same way.
 */
export function errorAnswer(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    return { status: error.status, body: { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } } };
  }
  const unreachable = unreachableCode(error);
  if (unreachable) {
    console.error(`database unreachable (${unreachable}): answered 503`);
    return { status: 503, body: { error: { code: 'unavailable', message: 'The database cannot be reached right now; try again shortly.' } } };
  }
  console.error(error);
  return { status: 500, body: { error: { code: 'internal', message: 'Something went wrong on our side.' } } };
}

/** Postgres error codes we turn into conflicts rather than crashes. */
export function pgErrorCode(e: unknown): string | undefined {
  const err = e as { code?: string; cause?: { code?: string } };
  return err?.code ?? err?.cause?.code;
}
export function pgConstraint(e: unknown): string | undefined {
  const err = e as { constraint?: string; constraint_name?: string; cause?: { constraint?: string; constraint_name?: string } };
  return err?.constraint_name ?? err?.constraint ?? err?.cause?.constraint_name ?? err?.cause?.constraint;
}
