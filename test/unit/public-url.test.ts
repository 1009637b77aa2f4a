import { afterEach, describe, expect, it, vi } from 'vitest';
import { EnvError, parseEnv } from '@/lib/server/env';

const base = { MESHPLANE_DATA_DIR: '/tmp/meshplane-env-test', AUTH_SECRET: 'x'.repeat(32) };

describe('MESHPLANE_PUBLIC_URL', () => {
  it('takes an absolute http(s) URL with no path, kept without the trailing slash', () => {
    expect(parseEnv({ ...base, MESHPLANE_PUBLIC_URL: 'https://mesh.example.com/' }).MESHPLANE_PUBLIC_URL).toBe('https://mesh.example.com');
    expect(parseEnv({ ...base, MESHPLANE_PUBLIC_URL: 'http://10.0.0.5:3000' }).MESHPLANE_PUBLIC_URL).toBe('http://10.0.0.5:3000');
    expect(parseEnv(base).MESHPLANE_PUBLIC_URL).toBeUndefined();
  });
  it.each([
    ['mesh.example.com', /MESHPLANE_PUBLIC_URL: "mesh.example.com" is not an absolute URL/],
    ['ftp://mesh.example.com', /MESHPLANE_PUBLIC_URL: .*must start with http:\/\/ or https:\/\//],
    ['https://mesh.example.com/meshplane', /MESHPLANE_PUBLIC_URL: .*no path/],
    ['https://mesh.example.com/?a=1', /MESHPLANE_PUBLIC_URL: .*no path, query/],
    ['https://user:pw@mesh.example.com', /MESHPLANE_PUBLIC_URL: .*credentials/],
  ])('refuses %s, naming the variable', (value, message) => {
    expect(() => parseEnv({ ...base, MESHPLANE_PUBLIC_URL: value })).toThrow(EnvError);
    expect(() => parseEnv({ ...base, MESHPLANE_PUBLIC_URL: value })).toThrow(message);
  });
});

describe('publicUrl()', () => {
  afterEach(() => { vi.unstubAllEnvs(); vi.resetModules(); });
  it('is the checked variable, or null when unset', async () => {
    vi.stubEnv('MESHPLANE_PUBLIC_URL', 'https://mesh.example.com/');
    expect((await import('@/lib/server/public-url')).publicUrl()).toBe('https://mesh.example.com');
    vi.resetModules();
    vi.stubEnv('MESHPLANE_PUBLIC_URL', '');
    expect((await import('@/lib/server/public-url')).publicUrl()).toBeNull();
  });
});
