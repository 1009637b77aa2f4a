import { randomBytes } from 'node:crypto';
import type { Db } from '../../lib/server/db/client';
import type { User } from '../../lib/server/db/schema';
import { createUser } from '../../lib/server/users/users';
import { AppError } from '../../lib/server/errors';
import { expect } from 'vitest';

/** The password of every user makeUser creates unless told otherwise. */
export const testPassword = 'correct horse battery staple';

/** A unique address for this run, e.g. `owner-3f9a1c2b@example.test`. */
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.test`;
}

/** A new user with a unique email (and `testPassword`), through the same code as sign-up. */
export function makeUser(db: Db, overrides: { email?: string; name?: string; password?: string } = {}): Promise<User> {
  return createUser(db, {
    email: overrides.email ?? uniqueEmail(),
    name: overrides.name ?? 'Test User',
    password: overrides.password ?? testPassword,
  });
}

/** The principal the gate sees for this user (as a session or an API token would give). */
export { principalOf } from '../../lib/server/auth/gate';

/** The AppError a promise rejects with (failing the test when it resolves or throws anything else). */
export async function expectAppError(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(() => null, (x) => x);
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}
