import { RefusedError } from './errors';
import type { Target } from './config';

type ApiErrorBody = { error?: { code?: string; message?: string; field?: string } };

/** A thin fetch over /api/v1 that turns every failure into one RefusedError line. */
export function apiClient(targetOf: Target | (() => Target), fetchImpl: typeof fetch = fetch) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    // Resolved at the first call, so a command's own usage errors come before "not logged in".
    const target = typeof targetOf === 'function' ? targetOf() : targetOf;
    const url = `${target.server}/api/v1${path}`;
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method,
        headers: { authorization: `Bearer ${target.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new RefusedError(`Cannot reach ${target.server}: ${cause?.code ?? cause?.message ?? (e as Error).message}.`);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new RefusedError(`${method} ${url} answered ${res.status} with something that is not JSON: is ${target.server} a Meshplane server?`, res.status);
    }
    if (!res.ok) {
      const error = (parsed as ApiErrorBody | undefined)?.error;
      let message = error?.message ?? `${method} ${url} answered ${res.status}.`;
      if (error?.field) message = `${error.field}: ${message}`;
      if (res.status === 401) message += ' Run `meshplane login --server URL --token T` with a valid token.';
      throw new RefusedError(message, res.status, error?.code);
    }
    return parsed as T;
  }
  return {
    /** The server the calls go to (for commands that print a URL of it). */
    server: () => (typeof targetOf === 'function' ? targetOf() : targetOf).server,
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
    put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
