/**
 * Issue 11, point 4: a session ends when it should. The cookie is copied before sign-out and
 * replayed after: the API answers 401 and the dashboard sends it to the sign-in page.
 */
import type { Browser, BrowserContext } from '@playwright/test';
import { test, expect, createUser, signIn, uniqueEmail, defaultPassword, type TestUser } from './fixtures';

// Several browsers each, on a shared 2-core machine: three times the default timeout.
test.describe.configure({ timeout: 90_000 });

async function signedInContext(browser: Browser, user: TestUser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, user);
  return { context, page };
}

/** Whether a browser context's cookie still opens the API and the dashboard. */
async function expectSignedIn(context: BrowserContext, yes: boolean) {
  const res = await context.request.get('/api/v1/projects');
  expect(res.status()).toBe(yes ? 200 : 401);
  const page = await context.newPage();
  await page.goto('/projects');
  await expect(page).toHaveURL(yes ? /\/projects$/ : /\/sign-in/);
  await page.close();
}

test('sign-out ends the session at once: a copy of the old cookie is refused', async ({ page, browser, signedIn }) => {
  await page.goto('/settings');
  await expect(page.getByText(signedIn.email).first()).toBeVisible();
  const cookies = await page.context().cookies();
  expect(cookies.some((c) => c.name.endsWith('authjs.session-token'))).toBe(true);
  const copy = await browser.newContext();
  await copy.addCookies(cookies);
  await expectSignedIn(copy, true);

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await expectSignedIn(copy, false);
});

test('"sign out everywhere" in browser B ends browser A', async ({ browser }) => {
  const user = createUser(uniqueEmail('everywhere'));
  const a = await signedInContext(browser, user);
  const b = await signedInContext(browser, user);
  await expectSignedIn(a.context, true);

  await b.page.goto('/settings');
  await b.page.getByRole('button', { name: 'Sign out everywhere' }).click();
  const dialog = b.page.getByRole('dialog', { name: 'Sign out everywhere?' });
  await expect(dialog).toContainText(user.email);
  await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(b.page).toHaveURL(/\/sign-in/);
  await expectSignedIn(a.context, false);
  await expectSignedIn(b.context, false);
});

test('a password change ends the other session, keeps this one, and the old password stops working', async ({ browser }) => {
  const user = createUser(uniqueEmail('password'));
  const a = await signedInContext(browser, user);
  const b = await signedInContext(browser, user);

  await b.page.goto('/settings');
  await b.page.getByLabel('Current password').fill('not my password');
  await b.page.getByLabel('New password').fill('a whole new passphrase');
  await b.page.getByRole('button', { name: 'Change password' }).click();
  await expect(b.page.getByText('The current password is not right.')).toBeVisible();
  await expectSignedIn(a.context, true);

  await b.page.getByLabel('Current password').fill(defaultPassword);
  await b.page.getByLabel('New password').fill('a whole new passphrase');
  await b.page.getByRole('button', { name: 'Change password' }).click();
  await expect(b.page.getByText('Password changed. 1 other session signed out.')).toBeVisible();
  await expectSignedIn(a.context, false);
  await expectSignedIn(b.context, true);

  const fresh = await (await browser.newContext()).newPage();
  await expect(signIn(fresh, user)).rejects.toThrow(/sign-in as .* failed/);
  await signIn(fresh, { email: user.email, password: 'a whole new passphrase' });
  await expectSignedIn(fresh.context(), true);
});

test('the sign-in and sign-up forms keep what was typed after a refusal', async ({ page, user }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Email or password is incorrect.')).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue(user.email);
  await expect(page.getByLabel('Password')).toHaveValue('');

  await page.goto('/sign-up');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Name').fill('Second Try');
  await page.getByLabel('Password').fill(defaultPassword);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('An account with this email already exists.')).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue(user.email);
  await expect(page.getByLabel('Name')).toHaveValue('Second Try');
});
