import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { x25519 } from '@noble/curves/ed25519.js';
import { test, expect, createUser, createToken, signIn, uniqueEmail } from './fixtures';

/** A stand-in agent: accepts every push and reports the version it carried, like a healthy host. */
async function stubAgent(): Promise<{ url: string; server: Server; pushes: number[] }> {
  const pushes: number[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const message = JSON.parse(Buffer.from(JSON.parse(body).payload, 'base64').toString('utf8'));
      pushes.push(message.version);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ appliedVersion: message.version, peers: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, pushes };
}

test('a host\'s status goes to applied live by itself after enrolment and after every change, with no worker call or button', async ({ page, request }) => {
  const agent = await stubAgent();
  try {
    const owner = createUser(uniqueEmail('owner'));
    const auth = { Authorization: `Bearer ${createToken(owner.email)}` };
    const project = await (await request.post('/api/v1/projects', { headers: auth, data: { name: 'e2e pushes' } })).json();
    const network = await (await request.post(`/api/v1/projects/${project.id}/networks`, { headers: auth, data: { label: 'live', cidr: '192.168.88.0/24' } })).json();
    const member = await (await request.post(`/api/v1/networks/${network.id}/members`, { headers: auth, data: { kind: 'external', label: 'box' } })).json();
    const peerId = member.peers[0].id;
    await signIn(page, owner);
    await page.goto(`/projects/${project.id}/networks/${network.id}`);
    const row = page.getByTestId('peers-table').locator('tbody tr').first();
    await expect(row).toContainText(/not enrolled|pending/);

    const { token } = await (await request.post(`/api/v1/peers/${peerId}/enrollment-token`, { headers: auth })).json();
    const publicKey = Buffer.from(x25519.getPublicKey(x25519.utils.randomSecretKey())).toString('base64');
    const enrolled = await request.post('/api/agent/enroll', { data: { token, publicKey, endpoint: '127.0.0.1:51820', agentUrl: agent.url } });
    expect(enrolled.status()).toBe(200);
    expect((await request.post('/api/agent/enroll', { data: { token, publicKey, endpoint: '127.0.0.1:51820', agentUrl: agent.url } })).status()).toBe(409);
    // The enrolment's commit woke delivery (NOTIFY): no cron, no button; the table polls.
    await expect(row).toContainText(/applied · v\d+/, { timeout: 10_000 });
    const applied = agent.pushes.at(-1)!;

    await request.put(`/api/v1/members/${member.id}/processes`, { headers: auth, data: { instances: 2 } });
    await expect(row).toContainText(`applied · v${applied + 1}`, { timeout: 10_000 });
    expect(agent.pushes).toEqual([applied, applied + 1]);

    // "Push now" still runs a round: nothing is due, so nothing is pushed again.
    await page.getByRole('button', { name: 'Push now' }).click();
    await expect(page.getByText(`Every enrolled host already runs version ${applied + 1}`)).toBeVisible();
    expect(agent.pushes).toEqual([applied, applied + 1]);
  } finally {
    agent.server.close();
  }
});
