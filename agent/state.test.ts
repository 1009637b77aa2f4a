import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { randomState, seededRng } from '../lib/core/protocol/testing';
import { generateKeyPair } from '../lib/core/wireguard/keys';
import { fileAppliedStore, loadAgent, publicKeyOf, writeIdentity, writePrivateKey } from './state';

let dir = '';
afterEach(() => rm(dir, { recursive: true, force: true }));

const identity = {
  server: 'http://127.0.0.1:3000', peerId: 'pe-abcdefabcdef', hostToken: 'secret-host-token',
  signingPublicKey: Buffer.alloc(32, 1).toString('base64'), interface: 'mp0', listen: '127.0.0.1:7000', endpoint: '198.51.100.1:51820',
};

describe('agent state dir', () => {
  it('keeps the private key and the identity at mode 0600 and loads them back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mp-state-'));
    const { privateKey, publicKey } = generateKeyPair();
    expect(publicKeyOf(privateKey)).toBe(publicKey);
    const raw = Buffer.from(privateKey, 'base64');
    expect([raw[0] & 7, raw[31] & 0xc0]).toEqual([0, 0x40]); // clamped like `wg genkey`
    await writePrivateKey(dir, privateKey);
    await writeIdentity(dir, identity);
    expect((await stat(join(dir, 'private.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'identity.json'))).mode & 0o777).toBe(0o600);
    expect(await loadAgent(dir)).toEqual({ identity, privateKey });
  });

  it('refuses a private key readable by others, and says how to fix it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mp-state-'));
    await writePrivateKey(dir, generateKeyPair().privateKey);
    await writeIdentity(dir, identity);
    await chmod(join(dir, 'private.key'), 0o644);
    await expect(loadAgent(dir)).rejects.toThrow(/chmod 600/);
    await expect(loadAgent(join(dir, 'nothing'))).rejects.toThrow(/enroll/);
  });

  it('persists the applied version and document', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mp-state-'));
    const store = fileAppliedStore(dir);
    expect(await store.load()).toEqual({ applied: null });
    const state = randomState(seededRng(1));
    await store.save({ version: state.version, state });
    expect(await fileAppliedStore(dir).load()).toEqual({ applied: { version: state.version, state } });
  });
});
