import { createToken, createUser, expect, signIn, test, uniqueEmail } from './fixtures';

// React 19 empties a form after its action: every refused form here must come back as typed.
test('refused forms keep what was typed: networks, members, project name', async ({ page, request }) => {
  test.setTimeout(60_000); // five forms, each refused once
  const owner = createUser(uniqueEmail('owner'));
  const auth = { Authorization: `Bearer ${createToken(owner.email)}` };
  const project = await (await request.post('/api/v1/projects', { headers: auth, data: { name: 'e2e forms' } })).json();
  const taken = await (await request.post(`/api/v1/projects/${project.id}/networks`, { headers: auth, data: { label: 'taken', cidr: '192.168.83.0/24' } })).json();
  const network = await (await request.post(`/api/v1/projects/${project.id}/networks`, { headers: auth, data: { label: 'mine', cidr: '192.168.84.0/24' } })).json();
  await request.post(`/api/v1/networks/${network.id}/members`, { headers: auth, data: { kind: 'application', label: 'api', processes: { web: 1 } } });
  const other = await (await request.post(`/api/v1/networks/${network.id}/members`, { headers: auth, data: { kind: 'external', label: 'db1' } })).json();
  await signIn(page, owner);

  // New network: a public range is refused by the server (the form has no browser checks).
  await page.goto(`/projects/${project.id}`);
  await page.getByRole('textbox', { name: 'Label', exact: true }).fill('edge');
  await page.getByRole('textbox', { name: 'CIDR', exact: true }).fill('8.8.8.0/24');
  await page.getByRole('textbox', { name: 'Description', exact: true }).fill('the edge boxes');
  await page.getByRole('textbox', { name: 'Tags', exact: true }).fill('prod, eu');
  await page.getByRole('button', { name: 'Create network' }).click();
  await expect(page.getByText('is in a public range')).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Label', exact: true })).toHaveValue('edge');
  await expect(page.getByRole('textbox', { name: 'CIDR', exact: true })).toHaveValue('8.8.8.0/24');
  await expect(page.getByRole('textbox', { name: 'Description', exact: true })).toHaveValue('the edge boxes');
  await expect(page.getByRole('textbox', { name: 'Tags', exact: true })).toHaveValue('prod, eu');

  // Add member: a label already used in the network.
  await page.goto(`/projects/${project.id}/networks/${network.id}`);
  await page.getByText('+ Add a member').click();
  const add = page.getByRole('form', { name: 'Add a member' });
  await add.getByLabel('Label').fill('api');
  await add.getByLabel('Tags').fill('backend');
  await add.getByLabel('web instances').fill('3');
  await add.getByLabel('Other process').fill('worker');
  await add.getByLabel('Its instances').fill('2');
  await add.getByRole('button', { name: 'Add member' }).click();
  await expect(add.getByRole('alert')).toBeVisible();
  await expect(add.getByLabel('Label')).toHaveValue('api');
  await expect(add.getByLabel('Tags')).toHaveValue('backend');
  await expect(add.getByLabel('web instances')).toHaveValue('3');
  await expect(add.getByLabel('Other process')).toHaveValue('worker');
  await expect(add.getByLabel('Its instances')).toHaveValue('2');

  // Edit network: another network's label.
  const edit = page.locator('form').filter({ has: page.getByRole('button', { name: 'Save changes' }) });
  await edit.getByLabel('Label').fill(taken.label);
  await edit.getByLabel('Description').fill('typed, not saved');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByRole('alert')).toBeVisible();
  await expect(edit.getByLabel('Label')).toHaveValue(taken.label);
  await expect(edit.getByLabel('Description')).toHaveValue('typed, not saved');

  // Edit member: a tag longer than 32 characters.
  const longTag = 'x'.repeat(33);
  await page.goto(`/projects/${project.id}/networks/${network.id}/members/${other.id}`);
  const member = page.locator('form').filter({ has: page.getByRole('button', { name: 'Save', exact: true }) });
  await member.getByLabel('Label').fill('db-renamed');
  await member.getByLabel('Tags').fill(`db, ${longTag}`);
  await member.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(member.getByRole('alert')).toBeVisible();
  await expect(member.getByLabel('Label')).toHaveValue('db-renamed');
  await expect(member.getByLabel('Tags')).toHaveValue(`db, ${longTag}`);

  // Project name: blank after trimming.
  await page.goto(`/projects/${project.id}/settings`);
  await page.getByLabel('Project name').fill('   ');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Give the project a name.')).toBeVisible();
  await expect(page.getByLabel('Project name')).toHaveValue('   ');
});
