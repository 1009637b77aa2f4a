import type { z } from 'zod';
import { AppError } from '../errors';
import type { Operation } from '../auth/gate';
import { requestIp, sessionPrincipal } from '../auth/session';

export type ActionResult<T = unknown> =
  | { ok: true; data: T }
  | { ok: false; error: string; fieldErrors: Record<string, string>; values?: Record<string, string> };

/** FormData to a plain object, without Next's own `$ACTION…` fields. */
export function formToObject(form: FormData): Record<string, unknown> {
  return Object.fromEntries([...form.entries()].filter(([key]) => !key.startsWith('$ACTION')));
}

/** `tags.1` is shown under the form's `tags` field: each error is keyed by its path and by its field. */
function fieldErrorsOf(path: string, message: string): Record<string, string> {
  return { [path.split('.')[0]]: message, [path]: message };
}

/** The server-action face of an operation: same gate, errors as data for the form. */
export async function runAction<S extends z.ZodType, R>(op: Operation<S, R>, raw: unknown): Promise<ActionResult<R>> {
  try {
    const data = await op.execute(await sessionPrincipal(), raw, { ip: await requestIp() });
    return { ok: true, data };
  } catch (error) {
    if (error instanceof AppError) {
      return { ok: false, error: error.message, fieldErrors: error.field ? fieldErrorsOf(error.field, error.message) : {} };
    }
    if ((error as { digest?: string })?.digest?.startsWith('NEXT_')) throw error; // redirect(), notFound()
    console.error(error);
    return { ok: false, error: 'Something went wrong on our side. Try again.', fieldErrors: {} };
  }
}
