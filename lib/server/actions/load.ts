import { cache } from 'react';
import { notFound, redirect } from 'next/navigation';
import type { z } from 'zod';
import { AppError } from '../errors';
import type { Operation } from '../auth/gate';
import { requestIp, sessionPrincipal } from '../auth/session';

/** A layout and its page may ask for the same thing (the project tabs do): each read runs once a request. */
const readsOfThisRequest = cache(() => new Map<string, Promise<unknown>>());

/** Pages read through the same gate as actions: unknown or invisible ids become a 404 page. */
export async function load<S extends z.ZodType, R>(op: Operation<S, R>, input: z.input<S>): Promise<R> {
  const reads = readsOfThisRequest();
  const key = `${op.name} ${JSON.stringify(input)}`;
  let read = reads.get(key) as Promise<R> | undefined;
  if (!read) {
    read = (async () => op.execute(await sessionPrincipal(), input, { ip: await requestIp() }))();
    reads.set(key, read);
  }
  try {
    return await read;
  } catch (error) {
    if (error instanceof AppError && (error.status === 404 || error.status === 400)) notFound();
    if (error instanceof AppError && error.status === 401) redirect('/sign-in');
    throw error;
  }
}
