/**
 * Seeding and signing in for e2e specs: users are made with the CLI against the e2e server's
 * database, sessions are opened through next-auth's API (not the form) with the page's own
 * request context, so the session cookie lands in the browser. Only the spec that tests the
 * sign-in form should click through it.
 *
 *   import { test, expect, createUser, signIn } from './fixtures';
 *   test('a viewer sees no edit controls', async ({ page, user }) => {
 *     const viewer = createUser(uniqueEmail('viewer'));
 *     await signIn(page, user);   // `user` is a fresh account made for this test
 *     …
 *   });
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';

export { expect };

export type TestUser = { email: string; password: string; name: string };

export const defaultPassword = 'correct horse battery staple';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A unique address, e.g. `owner-3f9a1c2b@example.test`: tests never share accounts. */
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.test`;
}

function cli(args: string[]): string {
  // The server's environment (playwright.config.ts), so the CLI writes where the app reads.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: process.env.E2E_DATABASE_URL,
    MESHPLANE_DATA_DIR: process.env.E2E_DATA_DIR,
    AUTH_SECRET: process.env.E2E_AUTH_SECRET,
    WORKER_SECRET: process.env.E2E_WORKER_SECRET,
  };
  if (!env.DATABASE_URL) throw new Error('E2E_DATABASE_URL is not set: run the specs through playwright.config.ts');
  try {
    return execFileSync(path.join(root, 'node_modules/.bin/tsx'), ['scripts/cli.ts', ...args], {
      cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000,
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`cli ${args.slice(0, 2).join(' ')} failed: ${err.stderr?.trim() || err.message}`);
  }
}

/** Creates an account in the e2e server's database (`npm run cli -- user create`). */
export function createUser(email = uniqueEmail(), password = defaultPassword, name = 'E2E User'): TestUser {
  cli(['user', 'create', '--email', email, '--password', password, '--name', name]);
  return { email, password, name };
}

/** A new API token for the user (`npm run cli -- token create`), for seeding through the JSON API. */
export function createToken(email: string, name = 'e2e'): string {
  return cli(['token', 'create', '--email', email, '--name', name]).trim();
}

async function csrfToken(page: Page): Promise<string> {
  const res = await page.request.get('/api/auth/csrf');
  expect(res.ok(), `GET /api/auth/csrf answered ${res.status()}`).toBe(true);
  return (await res.json()).csrfToken;
}

async function hasSession(page: Page): Promise<boolean> {
  return (await page.context().cookies()).some((c) => c.name.endsWith('authjs.session-token'));
}

/** Opens a session for the user in the page's browser context, through next-auth's API. */
export async function signIn(page: Page, user: Pick<TestUser, 'email' | 'password'>): Promise<void> {
  const res = await page.request.post('/api/auth/callback/credentials', {
    form: { csrfToken: await csrfToken(page), email: user.email, password: user.password, callbackUrl: '/' },
    maxRedirects: 0,
  });
  if (!(await hasSession(page))) {
    throw new Error(`sign-in as ${user.email} failed: ${res.status()} → ${res.headers().location ?? '(no redirect)'}`);
  }
}

/** Ends the session through next-auth's API (the sign-out button is for the spec that tests it). */
export async function signOut(page: Page): Promise<void> {
  await page.request.post('/api/auth/signout', { form: { csrfToken: await csrfToken(page), callbackUrl: '/' }, maxRedirects: 0 });
  await page.context().clearCookies({ name: /authjs\.session-token$/ });
}

/** `user`: a fresh account per test; `signedIn`: the same, already signed in on `page`. */
export const test = base.extend<{ user: TestUser; signedIn: TestUser }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads which fixtures a test uses from this destructuring, even an empty one
  user: async ({}, use, testInfo) => {
    await use(createUser(uniqueEmail(`w${testInfo.workerIndex}`)));
  },
  signedIn: async ({ page, user }, use) => {
    await signIn(page, user);
    await use(user);
  },
});
