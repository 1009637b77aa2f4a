import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../../test/tools/require-tools';
import { parseWgConfig } from '../../../test/tools/wg-config';
import { generateKeyPair } from '../../core/wireguard/keys';
import { renderPeerConfig } from '../../core/devices/render';

// The ListenPort line is the one thing renderPeerConfig adds to renderClientConfig's text
// (which test/tools/wireguard-tools.test.ts already loads into a real interface): check that
// wg-quick's own parser keeps it as a wg setting.
describe('a peer config run by hand', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mp-peer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes wg-quick strip with its ListenPort kept', () => {
    requireTools(['wg-quick']);
    const pair = generateKeyPair();
    const other = generateKeyPair().publicKey;
    const text = renderPeerConfig({ addresses: ['10.64.0.5/16'], listenPort: 51999, peers: [{ publicKey: other, endpoint: '203.0.113.9:51820', allowedIps: ['10.64.0.9/32'] }] }, pair.privateKey);
    const file = path.join(dir, 'mp0.conf');
    writeFileSync(file, text);
    chmodSync(file, 0o600);
    const result = spawnSync('wg-quick', ['strip', file], { encoding: 'utf8', timeout: 10_000 });
    expect(result.status, result.stderr).toBe(0);
    const stripped = parseWgConfig(result.stdout);
    expect(stripped.interface).toEqual({ PrivateKey: pair.privateKey, ListenPort: '51999' });
    expect(stripped.peers[0].PublicKey).toBe(other);
  });
});
