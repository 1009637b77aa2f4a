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

/**
 * The API's answer to a thrown error: an AppError as its status and code, anything else as a
 * logged 500. Here (no next-auth, no db) so the routes outside the gate answer the same way.
 */
export function errorAnswer(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    return { status: error.status, body: { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } } };
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
