import { test, expect, createUser, createToken, signIn, uniqueEmail, defaultPassword } from './fixtures';

test('sign up, create a project, add a viewer who sees no edit controls, change the role, sign out', async ({ page, browser }) => {
  const email = uniqueEmail('owner');
  await page.goto('/sign-up');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill('Olga Owner');
  await page.getByLabel('Password').fill(defaultPassword);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.getByText('No projects yet')).toBeVisible();

  await page.getByLabel('Project name').fill('Acme e2e');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Acme e2e' })).toBeVisible();
  const projectUrl = page.url();

  const viewer = createUser(uniqueEmail('viewer'));
  await page.getByRole('link', { name: 'Team' }).click();
  await page.getByLabel('Email', { exact: true }).fill(uniqueEmail('nobody'));
  await page.getByRole('button', { name: 'Add to team' }).click();
  await expect(page.getByText('No Meshplane account uses this email')).toBeVisible();
  await page.getByLabel('Email', { exact: true }).fill(viewer.email);
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Add to team' }).click();
  await expect(page.getByTestId(`team-${viewer.email}`)).toBeVisible();

  // The last owner cannot be demoted or removed (the server refuses with 409): the page offers
  // neither, and says so; the viewer beside them gets both.
  const me = page.getByTestId(`team-${email}`);
  await expect(me.getByText('the only owner: make someone else owner to change this')).toBeVisible();
  await expect(me.getByLabel(`Role of ${email}`)).toHaveCount(0);
  await expect(me.getByRole('button', { name: 'Remove' })).toHaveCount(0);
  await expect(page.getByLabel(`Role of ${viewer.email}`)).toHaveValue('viewer');

  const viewerPage = await (await browser.newContext()).newPage();
  await signIn(viewerPage, viewer);
  await viewerPage.goto(projectUrl);
  await expect(viewerPage.getByText('your role: viewer')).toBeVisible();
  await expect(viewerPage.getByRole('button', { name: 'Create network' })).toHaveCount(0);
  await expect(viewerPage.getByRole('link', { name: 'Settings', exact: true }).filter({ hasText: 'Settings' })).toHaveCount(1); // the account settings only
  await viewerPage.goto(`${projectUrl}/team`);
  await expect(viewerPage.getByRole('button', { name: 'Add to team' })).toHaveCount(0);
  await expect(viewerPage.getByRole('button', { name: 'Remove' })).toHaveCount(0);
  await viewerPage.goto(`${projectUrl}/settings`); // streamed after the loading state, so the status is 200
  await expect(viewerPage.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await expect(viewerPage.getByRole('button', { name: 'Delete project' })).toHaveCount(0);

  await page.getByLabel(`Role of ${viewer.email}`).selectOption('admin');
  await expect(page.getByTestId(`team-${viewer.email}`).getByRole('status')).toHaveText('Saved');
  await viewerPage.goto(projectUrl);
  await expect(viewerPage.getByText('your role: admin')).toBeVisible();
  await expect(viewerPage.getByRole('button', { name: 'Create network' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto(projectUrl);
  await expect(page).toHaveURL(/\/sign-in/);
});

test('sign-in says the same for an unknown email and a wrong password', async ({ page, user }) => {
  for (const [email, password] of [[user.email, 'wrong password'], [uniqueEmail('ghost'), defaultPassword]]) {
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('Email or password is incorrect.')).toBeVisible();
  }
});

test('settings: an API token is shown once, works, and stops working when revoked', async ({ page, signedIn }) => {
  await page.goto('/settings');
  await expect(page.getByText('No API tokens')).toBeVisible();
  await page.getByLabel('Token name').fill('ci-deploy');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').locator('code').textContent())!;
  expect(token).toMatch(/^mp_/);
  const api = (t: string) => page.request.get('/api/v1/projects', { headers: { Authorization: `Bearer ${t}` } });
  expect((await api(token)).status()).toBe(200);
  await page.reload();
  await expect(page.getByText(token)).toHaveCount(0);
  await page.getByTestId('token-ci-deploy').getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('button', { name: 'Revoke token' }).click();
  await expect(page.getByTestId('token-ci-deploy')).toHaveCount(0);
  const revoked = await api(token);
  expect(revoked.status()).toBe(401);
  expect((await revoked.json()).error.code).toBe('unauthenticated');
  expect(signedIn.email).toContain('@');
});

test('the JSON API keeps the contract: codes and error shapes', async ({ request }) => {
  const owner = createUser(uniqueEmail('api'));
  const token = createToken(owner.email);
  const auth = { Authorization: `Bearer ${token}` };
  expect((await request.get('/api/v1/projects')).status()).toBe(401);
  expect((await request.get('/api/v1/projects', { headers: { Authorization: 'Bearer mp_garbage' } })).status()).toBe(401);
  const notJson = await request.post('/api/v1/projects', { headers: { ...auth, 'Content-Type': 'application/json' }, data: Buffer.from('{"name": ') });
  expect(notJson.status()).toBe(400);
  expect((await notJson.json()).error.code).toBe('invalid_json');
  const empty = await request.post('/api/v1/projects', { headers: auth, data: { name: '' } });
  expect(empty.status()).toBe(400);
  expect((await empty.json()).error).toMatchObject({ code: 'invalid', field: 'name' });
  const created = await request.post('/api/v1/projects', { headers: auth, data: { name: 'api project' } });
  expect(created.status()).toBe(201);
  const project = await created.json();
  expect((await (await request.get('/api/v1/projects', { headers: auth })).json()).items).toEqual([expect.objectContaining({ id: project.id, role: 'owner' })]);
  const stranger = createToken(createUser(uniqueEmail('stranger')).email);
  expect((await request.get(`/api/v1/projects/${project.id}`, { headers: { Authorization: `Bearer ${stranger}` } })).status()).toBe(404);
  const viewer = createUser(uniqueEmail('v'));
  expect((await request.post(`/api/v1/projects/${project.id}/team`, { headers: auth, data: { email: viewer.email, role: 'viewer' } })).status()).toBe(201);
  const viewerAuth = { Authorization: `Bearer ${createToken(viewer.email)}` };
  const forbidden = await request.patch(`/api/v1/projects/${project.id}`, { headers: viewerAuth, data: { name: 'x' } });
  expect(forbidden.status()).toBe(403);
  expect((await forbidden.json()).error.code).toBe('forbidden');
  const team = await (await request.get(`/api/v1/projects/${project.id}/team`, { headers: auth })).json();
  const ownerId = team.items.find((m: { role: string }) => m.role === 'owner').userId;
  expect((await request.delete(`/api/v1/projects/${project.id}/team/${ownerId}`, { headers: auth })).status()).toBe(409);
  expect((await request.post(`/api/v1/projects/${project.id}/team`, { headers: auth, data: { email: viewer.email, role: 'king' } })).status()).toBe(400);

  // What the API layer answers itself: wrong methods, huge bodies, HEAD, no caching.
  const wrongMethod = await request.put('/api/v1/projects', { headers: auth, data: {} });
  expect(wrongMethod.status()).toBe(405);
  expect(wrongMethod.headers().allow).toBe('GET, POST');
  expect((await wrongMethod.json()).error.code).toBe('method_not_allowed');
  const huge = await request.post('/api/v1/projects', { headers: auth, data: { name: 'x'.repeat(2 * 1024 * 1024) } });
  expect(huge.status()).toBe(413);
  expect((await huge.json()).error.code).toBe('too_large');
  const head = await request.head(`/api/v1/projects/${project.id}`, { headers: auth });
  expect(head.status()).toBe(200);
  expect((await head.body()).length).toBe(0);
  const got = await request.get(`/api/v1/projects/${project.id}`, { headers: auth });
  expect(got.headers()['cache-control']).toBe('no-store');
  expect(got.headers()['content-type']).toMatch(/^application\/json/);
  // A path parameter cannot be overridden from the query string.
  const other = await (await request.post('/api/v1/projects', { headers: auth, data: { name: 'other' } })).json();
  const pinned = await request.get(`/api/v1/projects/${project.id}?projectId=${other.id}`, { headers: auth });
  expect((await pinned.json()).id).toBe(project.id);
});

test('after 10 failed sign-ins from this address the form says how long to wait, even with the right password', async ({ page, user }) => {
  const csrf = async () => (await (await page.request.get('/api/auth/csrf')).json()).csrfToken;
  for (let i = 0; i < 10; i++) {
    await page.request.post('/api/auth/callback/credentials', { form: { csrfToken: await csrf(), email: user.email, password: `wrong-${i}` }, maxRedirects: 0 });
  }
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(/^Too many failed attempts from your address\. Try again in \d+ seconds\.$/)).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByLabel('Email')).toHaveValue(user.email);
});
