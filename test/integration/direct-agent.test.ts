/**
 * The agent channel's dispatcher ahead of Next (lib/server/http/direct-agent.ts): its own
 * answers for what never reaches a route (a body over 1 MiB), and what it leaves to Next.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDb } from './db';
import { channelServer } from './channel-server';

describe('the agent channel served ahead of Next', () => {
  useTestDb();
  let server: Awaited<ReturnType<typeof channelServer>>;
  beforeAll(async () => { server = await channelServer(); });
  afterAll(async () => { await server.stop(); });

  it('refuses an answer body over 1 MiB unread, with the API\'s error shape', async () => {
    const res = await fetch(`${server.url}/api/agent/v1/answer`, { method: 'POST', headers: { authorization: 'Bearer x', 'content-type': 'application/json' }, body: 'x'.repeat((1 << 20) + 1) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'too_large' } });
  });

  it('answers a poll with an unknown host token 401 through the route', async () => {
    const res = await fetch(`${server.url}/api/agent/v1/next?after=0`, { headers: { authorization: 'Bearer mp_host_nothing' } });
    expect(res.status).toBe(401);
  });

  it('leaves another method or path to Next', async () => {
    expect((await fetch(`${server.url}/api/agent/v1/answer`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/agent/v1/nextx`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/agent/v1/next/`)).status).toBe(404);
  });
});
