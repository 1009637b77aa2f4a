/**
 * Issue 11, point 6: an owner invites an email address from the Team page, the link opens in
 * a fresh browser, the invitee sets a name and password and lands in the project with the
 * role; a revoked link stops working; the API gives the same.
 */
import { test, expect, createToken, createUser, uniqueEmail, defaultPassword } from './fixtures';

// Several browsers each, on a shared 2-core machine: three times the default timeout.
test.describe.configure({ timeout: 90_000 });

test('invite from the Team page; the invitee sets a password and lands in the project', async ({ page, browser, signedIn }) => {
  const token = createToken(signedIn.email);
  const project = await (await page.request.post('/api/v1/projects', { headers: { authorization: `Bearer ${token}` }, data: { name: 'Invited e2e' } })).json();
  await page.goto(`/projects/${project.id}/team`);

  const email = uniqueEmail('invitee');
  await page.getByLabel('Email to invite').fill(email);
  await page.getByLabel('Role on joining').selectOption('admin');
  await page.getByRole('button', { name: 'Create invitation link' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invited ${email}.` })).toBeVisible();
  const url = (await page.getByTestId('invitation-url').locator('code').textContent())!;
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/invitations\/inv_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId(`invitation-${email}`)).toContainText('admin');

  // A second invitation, revoked: its link stops working.
  const revokedEmail = uniqueEmail('revoked');
  await page.getByLabel('Email to invite').fill(revokedEmail);
  await page.getByRole('button', { name: 'Create invitation link' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invited ${revokedEmail}.` })).toBeVisible();
  const revokedUrl = (await page.getByTestId('invitation-url').locator('code').textContent())!;
  expect(revokedUrl).not.toBe(url);
  await page.getByTestId(`invitation-${revokedEmail}`).getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke invitation' }).click();
  await expect(page.getByTestId(`invitation-${revokedEmail}`)).toHaveCount(0);

  const invitee = await (await browser.newContext()).newPage();
  expect((await invitee.goto(revokedUrl))?.status(), 'a revoked link is a 404').toBe(404);
  await expect(invitee.getByRole('heading', { name: 'Invitation not valid' })).toBeVisible();
  await expect(invitee.getByText('This invitation link is not valid any more: it was used, revoked or has expired. Ask for a new one.')).toBeVisible();

  await invitee.goto(url);
  await expect(invitee.getByRole('heading', { name: 'Join Invited e2e' })).toBeVisible();
  await expect(invitee.getByText(`${signedIn.email} invited ${email} as admin`)).toBeVisible();
  await invitee.getByLabel('Name').fill('Ivy Invitee');
  await invitee.getByLabel('Password').fill('short');
  await invitee.getByRole('button', { name: 'Create account and join' }).click();
  await expect(invitee.getByText('Use at least 8 characters.')).toBeVisible();
  await expect(invitee.getByLabel('Name')).toHaveValue('Ivy Invitee');
  await invitee.getByLabel('Password').fill(defaultPassword);
  await invitee.getByRole('button', { name: 'Create account and join' }).click();
  await expect(invitee).toHaveURL(new RegExp(`/projects/${project.id}$`));
  await expect(invitee.getByText('your role: admin')).toBeVisible();

  // One use: the link is spent, and the invitation is no longer pending.
  const again = await (await browser.newContext()).newPage();
  expect((await again.goto(url))?.status(), 'a used link is a 404').toBe(404);
  await expect(again.getByRole('heading', { name: 'Invitation not valid' })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId(`team-${email}`)).toBeVisible();
  await expect(page.getByTestId(`invitation-${email}`)).toHaveCount(0);
});

test('an invitee with an account signs in on the invitation page and joins', async ({ page, browser, signedIn }) => {
  const token = createToken(signedIn.email);
  const auth = { authorization: `Bearer ${token}` };
  const project = await (await page.request.post('/api/v1/projects', { headers: auth, data: { name: 'Existing joins' } })).json();
  const existing = createUser(uniqueEmail('existing'));
  const created = await page.request.post(`/api/v1/projects/${project.id}/invitations`, { headers: auth, data: { email: existing.email, role: 'viewer' } });
  expect(created.status()).toBe(201);
  const body = await created.json();
  expect(Object.keys(body).sort()).toEqual(['email', 'expiresAt', 'id', 'role', 'url']);
  const listed = await (await page.request.get(`/api/v1/projects/${project.id}/invitations`, { headers: auth })).json();
  expect(listed.items.map((i: { id: string }) => i.id)).toEqual([body.id]);
  expect(JSON.stringify(listed)).not.toContain(body.url.split('/').pop());

  const invitee = await (await browser.newContext()).newPage();
  await invitee.goto(body.url);
  await expect(invitee.getByLabel('Email')).toHaveValue(existing.email);
  await invitee.getByLabel('Password').fill('not the password');
  await invitee.getByRole('button', { name: 'Sign in and join' }).click();
  await expect(invitee.getByText('The password is not right.')).toBeVisible();
  await invitee.getByLabel('Password').fill(existing.password);
  await invitee.getByRole('button', { name: 'Sign in and join' }).click();
  await expect(invitee).toHaveURL(new RegExp(`/projects/${project.id}$`));
  await expect(invitee.getByText('your role: viewer')).toBeVisible();

  // Revoking through the API: a spent invitation is gone (404); a pending one answers 204.
  expect((await page.request.delete(`/api/v1/invitations/${body.id}`, { headers: auth })).status()).toBe(404);
  const other = await (await page.request.post(`/api/v1/projects/${project.id}/invitations`, { headers: auth, data: { email: uniqueEmail(), role: 'developer' } })).json();
  expect((await page.request.delete(`/api/v1/invitations/${other.id}`, { headers: auth })).status()).toBe(204);
  // A viewer may not invite.
  const viewerToken = createToken(existing.email);
  const refused = await page.request.post(`/api/v1/projects/${project.id}/invitations`, { headers: { authorization: `Bearer ${viewerToken}` }, data: { email: uniqueEmail(), role: 'viewer' } });
  expect(refused.status()).toBe(403);
});
