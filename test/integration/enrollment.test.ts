import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { auditLog, enrollmentTokens, firewallRules, peers, settings } from '../../lib/server/db/schema';
import type { Principal } from '../../lib/server/auth/gate';
import { hashToken } from '../../lib/server/auth/secret-token';
import { rows } from '../../lib/server/db/client';
import { createProjectOp, addTeamMemberOp } from '../../lib/server/projects/operations';
import { createNetworkOp } from '../../lib/server/networks/operations';
import { createMemberOp } from '../../lib/server/members/operations';
import { createDeviceOp } from '../../lib/server/devices/operations';
import { createEnrollmentTokenOp, pushNowOp } from '../../lib/server/delivery/operations';
import { forgetSigningKey, getSigningKey } from '../../lib/server/delivery/signing-key';
import { open } from '../../lib/server/crypto/secret-box';
import { enrollRoute, workerRoute } from '../../lib/server/delivery/routes';
import { workerGuard } from '../../lib/server/delivery/worker-guard';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';
import { randomKey, versionOf } from './push-helpers';

const t = useTestDb();
let owner: Principal, viewer: Principal;
let networkId: string;
let peerIds: string[];

beforeAll(async () => {
  [owner, viewer] = (await Promise.all([makeUser(t.db), makeUser(t.db)])).map(principalOf);
  const projectId = (await createProjectOp.execute(owner, { name: 'enrol' })).id;
  await addTeamMemberOp.execute(owner, { projectId, email: viewer.email, role: 'viewer' });
  networkId = (await createNetworkOp.execute(owner, { projectId, label: 'enrol' })).id;
  const member = await createMemberOp.execute(owner, { networkId, kind: 'application', label: 'app', processes: { web: 4 } });
  peerIds = member.peers.map((p) => p.id);
});

const post = (body: unknown) => enrollRoute(new Request('http://test/api/agent/enroll', {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body),
}));
const input = (token: string, publicKey = randomKey()) => ({ token, publicKey, endpoint: '198.51.100.3:51820', agentUrl: 'http://198.51.100.3:51821' });
const peerRow = async (id: string) => (await t.db.select().from(peers).where(eq(peers.id, id)))[0];

describe('enrolment', () => {
  it('trades a one-use token for the identity and the pinned signing key', async () => {
    const created = await createEnrollmentTokenOp.execute(owner, { peerId: peerIds[0] });
    expect(created.expiresAt.getTime() - Date.now()).toBeGreaterThan(3_590_000);
    const before = await versionOf(t.db, networkId);
    const body = input(created.token);
    const res = await post(body);
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer).toEqual({ peerId: peerIds[0], hostToken: expect.stringMatching(/^mph_/), signingPublicKey: (await getSigningKey(t.db)).publicKeyBase64 });
    expect(await peerRow(peerIds[0])).toMatchObject({
      publicKey: body.publicKey, endpoint: body.endpoint, agentUrl: body.agentUrl, hostTokenHash: hashToken(answer.hostToken), appliedVersion: 0,
    });
    expect(await versionOf(t.db, networkId)).toBe(before + 1);
    const log = await t.db.select().from(auditLog).where(eq(auditLog.resourceId, peerIds[0]));
    expect(log.map((l) => l.action)).toEqual(expect.arrayContaining(['peer.enrollment_token.create', 'peer.enroll']));

    // Used: 409, and nothing changes.
    const again = await post(input(created.token));
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatchObject({ code: 'token_used', field: 'token' });
    expect((await peerRow(peerIds[0])).publicKey).toBe(body.publicKey);
    expect(await versionOf(t.db, networkId)).toBe(before + 1);
  });

  it('refuses an expired or unknown token and creates nothing', async () => {
    const { token } = await createEnrollmentTokenOp.execute(owner, { peerId: peerIds[1] });
    await t.db.update(enrollmentTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(enrollmentTokens.tokenHash, hashToken(token)));
    const before = await versionOf(t.db, networkId);
    const expired = await post(input(token));
    expect(expired.status).toBe(401);
    expect((await expired.json()).error.code).toBe('token_expired');
    const unknown = await post(input(`mpe_${'A'.repeat(43)}`));
    expect(unknown.status).toBe(401);
    expect(await peerRow(peerIds[1])).toMatchObject({ publicKey: null, agentUrl: null, hostTokenHash: null });
    expect(await versionOf(t.db, networkId)).toBe(before);
  });

  it('refuses a public key another peer or a device holds (409) and leaves the token usable', async () => {
    const taken = (await peerRow(peerIds[0])).publicKey!;
    const { token } = await createEnrollmentTokenOp.execute(owner, { peerId: peerIds[2] });
    const dup = await post(input(token, taken));
    expect(dup.status).toBe(409);
    expect((await dup.json()).error).toMatchObject({ code: 'duplicate_key', field: 'publicKey' });
    const deviceKey = randomKey();
    await createDeviceOp.execute(owner, { name: 'laptop', publicKey: deviceKey });
    expect((await post(input(token, deviceKey))).status).toBe(409);
    expect((await post(input(token))).status).toBe(200); // the token was not spent by the refusals
  });

  it('validates the body (400 with the field) and the token is per peer, newest only', async () => {
    const bad = await post({ token: 'nope', publicKey: 'x', endpoint: 'y', agentUrl: 'ftp://z' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.field).toBe('token');
    expect((await post('{')).status).toBe(400);
    const { token: first } = await createEnrollmentTokenOp.execute(owner, { peerId: peerIds[3] });
    const { token: second } = await createEnrollmentTokenOp.execute(owner, { peerId: peerIds[3] });
    expect((await post(input(first))).status).toBe(401); // replaced by the newer one
    const bodyWrongKey = await post({ ...input(second), publicKey: 'not a key' });
    expect((await bodyWrongKey.json()).error.field).toBe('publicKey');
    expect((await post(input(second))).status).toBe(200);
  });

  it('refuses an agentUrl with credentials, another scheme or a refused address (400 naming why) and logs no credentials', async () => {
    const { token } = await createEnrollmentTokenOp.execute(owner, { peerId: peerIds[1] });
    const refused: [string, RegExp][] = [
      ['http://admin:hunter2@198.51.100.3:51821', /^agentUrl: no user name or password may be given in the URL/],
      ['gopher://198.51.100.3:70', /^agentUrl: only http and https are allowed/],
      ['http://169.254.169.254/latest', /^agentUrl: address not allowed: the agent URL's host is a metadata address$/],
      ['http://[fd00:ec2::254]/', /^agentUrl: address not allowed: the agent URL's host is a metadata address$/],
      ['http://0.0.0.0:51821', /^agentUrl: address not allowed: the agent URL's host is an unspecified address$/],
      // The test set-up allows 127.0.0.1 alone: every other spelling of loopback is refused.
      ['http://2130706434:51821', /^agentUrl: address not allowed: the agent URL's host is a loopback address$/],
      ['http://127.2:51821', /loopback/],
      ['http://[::1]:51821', /loopback/],
      ['http://[::ffff:127.0.0.9]:51821', /loopback/],
      ['http://[fe80::1]:51821', /link-local/],
      ['http://224.0.0.1:51821', /multicast/],
      ['http://no-such-host.invalid:51821', /^agentUrl: host name not found$/],
    ];
    for (const [agentUrl, message] of refused) {
      const res = await post({ ...input(token), agentUrl });
      expect(res.status, agentUrl).toBe(400);
      expect((await res.json()).error, agentUrl).toMatchObject({ code: 'invalid', field: 'agentUrl', message: expect.stringMatching(message) });
    }
    expect(await peerRow(peerIds[1])).toMatchObject({ publicKey: null, agentUrl: null });
    const logged = await t.db.select().from(auditLog).where(eq(auditLog.resourceId, peerIds[1]));
    expect(JSON.stringify(logged)).not.toContain('hunter2');
    // The token was not spent by the refusals; a URL without credentials enrols.
    const res = await post({ ...input(token), agentUrl: 'https://198.51.100.3:51821' });
    expect(res.status).toBe(200);
  });

  it('the migration removes credentials kept from enrolments before this check, and makes mapped rules IPv4', async () => {
    const id = peerIds[2];
    await t.db.insert(firewallRules).values([
      { id: 'fw-mapped000001', networkId, cidr: '::ffff:198.51.100.99/128' },
      { id: 'fw-mapped000002', networkId, cidr: '::ffff:198.51.100.0/120' },
      { id: 'fw-mapped000003', networkId, cidr: '198.51.100.0/24' }, // the same as the one above
    ]);
    const before = await versionOf(t.db, networkId);
    await t.db.update(peers).set({ agentUrl: 'http://admin:hunter2@198.51.100.3:51821/x@y' }).where(eq(peers.id, id));
    await t.db.insert(auditLog).values({ projectId: null, actorEmail: `agent ${id}`, action: 'peer.enroll', resourceType: 'peer', resourceId: id,
      details: { endpoint: '198.51.100.3:51820', agentUrl: 'https://admin:hunter2@198.51.100.3:51821' } });
    const file = readdirSync('drizzle').find((f) => f.includes('agent_urls_and_mapped_rules'))!;
    for (const statement of readFileSync(path.join('drizzle', file), 'utf8').split('--> statement-breakpoint')) await t.db.execute(sql.raw(statement));
    expect((await peerRow(id)).agentUrl).toBe('http://198.51.100.3:51821/x@y');
    const logged = await t.db.select().from(auditLog).where(eq(auditLog.resourceId, id));
    expect(JSON.stringify(logged)).not.toContain('hunter2');
    expect(logged.map((l) => l.details?.agentUrl)).toContain('https://198.51.100.3:51821');
    const rules = await rows(t.db, sql`select id, host(cidr) || '/' || masklen(cidr) as cidr from firewall_rules where network_id = ${networkId} order by id`);
    expect(rules).toEqual([{ id: 'fw-mapped000001', cidr: '198.51.100.99/32' }, { id: 'fw-mapped000003', cidr: '198.51.100.0/24' }]);
    expect(await versionOf(t.db, networkId)).toBe(before + 1);
    await t.db.delete(firewallRules).where(eq(firewallRules.networkId, networkId));
    await t.db.update(peers).set({ agentUrl: null }).where(eq(peers.id, id));
  });

  it('only admins make tokens; strangers learn nothing', async () => {
    await expect(createEnrollmentTokenOp.execute(viewer, { peerId: peerIds[0] })).rejects.toMatchObject({ status: 403 });
    const stranger = principalOf(await makeUser(t.db));
    await expect(createEnrollmentTokenOp.execute(stranger, { peerId: peerIds[0] })).rejects.toMatchObject({ status: 404 });
  });
});

describe('the worker route and Push now', () => {
  const call = (auth?: string) => workerRoute(new Request('http://test/api/worker', { method: 'POST', headers: auth ? { authorization: auth } : {} }));

  it('refuses without the secret (401), is disabled without one (503), runs a round with it', async () => {
    expect((await call()).status).toBe(401);
    expect((await call('Bearer wrong-secret-0123456789')).status).toBe(401);
    expect((await call(`Basic ${process.env.WORKER_SECRET}`)).status).toBe(401);
    const disabled = workerGuard(`Bearer ${process.env.WORKER_SECRET}`, undefined)!;
    expect(disabled.status).toBe(503);
    expect((await disabled.json()).error.message).toMatch(/WORKER_SECRET is not set/);
    const ok = await call(`Bearer ${process.env.WORKER_SECRET}`);
    expect(ok.status).toBe(200);
    expect(Object.keys(await ok.json()).sort()).toEqual(['applied', 'claimed', 'ephemeralReleased', 'failed', 'leasesExpired']);
  });

  it('Push now is for admins and runs a round for the network', async () => {
    await expect(pushNowOp.execute(viewer, { networkId })).rejects.toMatchObject({ status: 403 });
    const r = await pushNowOp.execute(owner, { networkId });
    expect(r).toMatchObject({ configVersion: await versionOf(t.db, networkId) });
    expect(r.claimed).toBeGreaterThan(0); // the enrolled hosts above point at nothing: refused connections
    expect(r.failed).toBe(r.claimed);
  });
});

describe('the signing key', () => {
  it('is made once, stored sealed, and the same for every caller', async () => {
    forgetSigningKey();
    const [a, b] = await Promise.all([getSigningKey(t.db), getSigningKey(t.db)]);
    forgetSigningKey();
    const c = await getSigningKey(t.db);
    expect(a.publicKeyBase64).toBe(b.publicKeyBase64);
    expect(c.publicKeyBase64).toBe(a.publicKeyBase64);
    const [row] = await t.db.select().from(settings).where(eq(settings.key, 'push.signing-key'));
    expect(row.value).toMatch(/^v1\./);
    expect(row.value).not.toContain(Buffer.from(a.secretKey).toString('base64'));
    expect(Buffer.from(open(row.value, process.env.MESHPLANE_ENCRYPTION_KEY!, 'push.signing-key'))).toEqual(Buffer.from(a.secretKey));
    expect(() => open(row.value, Buffer.alloc(32, 1).toString('base64'), 'push.signing-key')).toThrow(/does not open/);
    expect(() => open(row.value, process.env.MESHPLANE_ENCRYPTION_KEY!, 'another-setting')).toThrow(/does not open/);
  });
});
