import { describe, expect, it } from 'vitest';
import { can, roleMatrix } from '@/lib/core/permissions';
import { parseEnv, EnvError } from '@/lib/server/env';
import { hashToken, newSecretToken, secretTokenPattern } from '@/lib/server/auth/secret-token';
import { hashPassword, verifyPassword } from '@/lib/server/auth/password';
import { handleFromEmail, signUpSchema } from '@/lib/server/users/users';
import { newId, idPattern } from '@/lib/core/ids';
import { tagsSchema } from '@/lib/core/networks/schemas';

describe('role matrix (DESIGN.md "Who may do what")', () => {
  it.each([
    ['viewer', ['project.read']],
    ['developer', ['project.read', 'access.own']],
    ['admin', ['project.read', 'access.own', 'network.write']],
    ['owner', ['project.read', 'access.own', 'network.write', 'project.manage']],
  ] as const)('%s may exactly %j', (role, allowed) => {
    for (const permission of ['project.read', 'access.own', 'network.write', 'project.manage'] as const) {
      expect(can(role, permission), `${role} ${permission}`).toBe((allowed as readonly string[]).includes(permission));
    }
  });
  it('nobody without a role may do anything', () => {
    expect(can(null, 'project.read')).toBe(false);
    expect(Object.keys(roleMatrix).sort()).toEqual(['admin', 'developer', 'owner', 'viewer']);
  });
});

describe('environment', () => {
  const base = { MESHPLANE_DATA_DIR: '/tmp/meshplane-env-test', AUTH_SECRET: 'x'.repeat(32) };
  it('names the variable that is malformed', () => {
    expect(() => parseEnv({ ...base, DATABASE_URL: 'mysql://nope' })).toThrow(/DATABASE_URL/);
    expect(() => parseEnv({ ...base, MESHPLANE_POOL: '10.64.0.0/99' })).toThrow(/MESHPLANE_POOL/);
    expect(() => parseEnv({ ...base, MESHPLANE_TRUSTED_PROXIES: '10.0.0.1, banana' })).toThrow(/banana/);
    expect(() => parseEnv({ ...base, OIDC_ISSUER: 'https://id.example.com' })).toThrow(/OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together/);
    expect(() => parseEnv({ ...base, AUTH_SECRET: 'short' })).toThrow(EnvError);
  });
  it('requires AUTH_SECRET in production, generates one in development', () => {
    expect(() => parseEnv({ NODE_ENV: 'production', MESHPLANE_DATA_DIR: base.MESHPLANE_DATA_DIR })).toThrow(/AUTH_SECRET: is required in production/);
    const dev = parseEnv({ NODE_ENV: 'development', MESHPLANE_DATA_DIR: base.MESHPLANE_DATA_DIR });
    expect(dev.AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(parseEnv({ NODE_ENV: 'development', MESHPLANE_DATA_DIR: base.MESHPLANE_DATA_DIR }).AUTH_SECRET).toBe(dev.AUTH_SECRET);
  });
  it('applies defaults', () => {
    const env = parseEnv(base);
    expect(env).toMatchObject({ MESHPLANE_DNS_ZONE: 'mesh.internal', MESHPLANE_POOL: '10.64.0.0/10', MESHPLANE_TRUSTED_PROXIES: [] });
  });
});

describe('secrets', () => {
  it('makes bearer tokens that are stored only as SHA-256', () => {
    const token = newSecretToken('mp');
    expect(token).toMatch(secretTokenPattern);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token);
    expect(newSecretToken('mp')).not.toBe(token);
  });
  it('hashes passwords with scrypt and a salt', async () => {
    const [a, b] = await Promise.all([hashPassword('hunter22!'), hashPassword('hunter22!')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('hunter22!', a)).toBe(true);
    expect(await verifyPassword('hunter23!', a)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});

describe('validation', () => {
  it('normalizes sign-up input and names bad fields', () => {
    expect(signUpSchema.parse({ email: ' Ada@Example.COM ', password: '12345678' })).toMatchObject({ email: 'ada@example.com', name: '' });
    const bad = signUpSchema.safeParse({ email: 'nope', password: 'short' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path[0]).sort()).toEqual(['email', 'password']);
  });
  it('derives DNS-label handles', () => {
    expect(handleFromEmail('Jo.Smith+ops@x.io')).toBe('jo-smith-ops');
    expect(handleFromEmail('---@x.io')).toBe('user');
    expect(handleFromEmail(`${'a'.repeat(80)}@x.io`)).toHaveLength(40);
  });
  it('makes ids of a kind prefix and 12 base32 characters', () => {
    const id = newId('network');
    expect(id).toMatch(/^pn-[0-9a-hjkmnp-tv-z]{12}$/);
    expect(id).toMatch(idPattern);
  });
  it('accepts tags as an array or a comma list, deduplicated', () => {
    expect(tagsSchema.parse(' prod, eu ,prod,')).toEqual(['prod', 'eu']);
    expect(tagsSchema.safeParse(['x'.repeat(33)]).success).toBe(false);
  });
});
