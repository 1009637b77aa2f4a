import { afterEach, describe, expect, it, vi } from 'vitest';
import { findTool, requireRoot, requireTools } from './require-tools';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('requireTools', () => {
  it('finds tools on PATH', () => {
    expect(findTool('node')).not.toBeNull();
    expect(() => requireTools(['node'])).not.toThrow();
  });

  it('names the missing tools and the packages that provide them', () => {
    vi.stubEnv('PATH', '/nonexistent');
    expect(() => requireTools(['wg', 'wg-quick', 'wireguard-go', 'mp-no-such-tool'])).toThrow(
      'Missing wg, wg-quick, wireguard-go, mp-no-such-tool: these tests run the real tools. ' +
        'Install them with: apt-get install -y wireguard-tools wireguard-go mp-no-such-tool',
    );
  });
});

describe('requireRoot', () => {
  it('passes for root and explains itself to anyone else', () => {
    vi.spyOn(process, 'getuid').mockReturnValue(0);
    expect(() => requireRoot()).not.toThrow();
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    expect(() => requireRoot()).toThrow(/must run as root/);
  });
});
