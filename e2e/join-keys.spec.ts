import { x25519 } from '@noble/curves/ed25519.js';
import { test, expect, createUser, createToken, signIn, uniqueEmail } from './fixtures';

/*
 * The member page's join keys. playwright.config.ts gives the server MESHPLANE_PUBLIC_URL (its
 * own address) unless E2E_PUBLIC_URL='' leaves it unset; the commands use it, or the page says
 * the operator must set it: both are checked.
 */
const publicUrl = (process.env.E2E_PUBLIC_URL ?? process.env.E2E_BASE_URL)?.replace(/\/+$/, '') || null;

test('an admin makes a join key on the member page, sees it once with the commands, a host joins with it, and the key is revoked', async ({ page, request }) => {
  const owner = createUser(uniqueEmail('owner'));
  const auth = { Authorization: `Bearer ${createToken(owner.email)}` };
  const project = await (await request.post('/api/v1/projects', { headers: auth, data: { name: 'e2e join keys' } })).json();
  const network = await (await request.post(`/api/v1/projects/${project.id}/networks`, { headers: auth, data: { label: 'join', cidr: '192.168.89.0/24' } })).json();
  const member = await (await request.post(`/api/v1/networks/${network.id}/members`, { headers: auth, data: { kind: 'application', label: 'shop', processes: { web: 1 } } })).json();
  await signIn(page, owner);
  await page.goto(`/projects/${project.id}/networks/${network.id}/members/${member.id}`);
  await expect(page.getByTestId('instance-states')).toContainText('1: not enrolled');

  const form = page.getByRole('form', { name: 'New join key' });
  await form.getByLabel('Process').selectOption('web');
  await form.getByLabel('Autoscale up to (instances)').fill('20');
  await form.getByLabel(/Autoscale: add/).check();
  await form.getByLabel(/Ephemeral: release/).check();
  await form.getByRole('button', { name: 'Create join key' }).click();
  const key = (await page.getByTestId('join-key').textContent())!;
  expect(key).toMatch(/^mpk_/);
  const shown = page.getByTestId('new-join-key');
  if (publicUrl) {
    await expect(shown).toContainText(`curl -fsSL ${publicUrl}/agent/install.sh | sudo sh -s -- --key ${key}`);
    await expect(shown).toContainText(`meshplane-agent join --server ${publicUrl} --key ${key} --process web`);
  } else {
    await expect(shown).toContainText('has not set MESHPLANE_PUBLIC_URL');
    await expect(shown).not.toContainText('127.0.0.1');
  }
  await expect(page.getByTestId('join-keys')).toContainText(/web, up to 20 instances, ephemeral, expires in 29 days, used 0 times/);
  // E2E_SHOTS=DIR: the page with the key shown, at desktop and phone width, for looking at it.
  for (const width of process.env.E2E_SHOTS ? [1280, 375] : []) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${process.env.E2E_SHOTS}/join-keys-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });

  // Two hosts join: the second autoscales web to 2.
  for (let i = 0; i < 2; i++) {
    const publicKey = Buffer.from(x25519.getPublicKey(x25519.utils.randomSecretKey())).toString('base64');
    const joined = await request.post('/api/agent/join', { data: { key, publicKey, endpoint: `127.0.0.${i + 2}:51820` } });
    expect(joined.status()).toBe(200);
    expect((await joined.json()).instance).toBe(i + 1);
  }
  await page.reload();
  await expect(page.getByTestId('join-keys')).toContainText('used 2 times');
  await expect(page.getByTestId('instance-states').first()).toContainText('2: enrolled');
  const list = await (await request.get(`/api/v1/members/${member.id}/join-keys`, { headers: auth })).json();
  expect(JSON.stringify(list)).not.toContain(key);

  await page.getByTestId('join-keys').getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByTestId('join-keys')).toContainText('revoked');
  const refused = await request.post('/api/agent/join', { data: { key, publicKey: Buffer.alloc(32, 1).toString('base64') } });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe('key_revoked');
});
