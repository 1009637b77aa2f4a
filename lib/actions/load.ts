import { notFound, redirect } from 'next/navigation';
import type { z } from 'zod';
import { AppError } from '../errors';
import type { Operation } from '../auth/gate';
import { requestIp, sessionPrincipal } from '../auth/session';

/** Pages read through the same gate as actions: unknown or invisible ids become a 404 page. */
export async function load<S extends z.ZodType, R>(op: Operation<S, R>, input: z.input<S>): Promise<R> {
  try {
    return await op.execute(await sessionPrincipal(), input, { ip: await requestIp() });
  } catch (error) {
    if (error instanceof AppError && (error.status === 404 || error.status === 400)) notFound();
    if (error instanceof AppError && error.status === 401) redirect('/sign-in');
    throw error;
  }
}
