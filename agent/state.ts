import { x25519 } from '@noble/curves/ed25519.js';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type NetworkState, networkStateSchema } from '../lib/protocol/network-state';

/*
 * The agent's state directory. The private key is made here and never leaves it (0600);
 * identity.json holds what enrolment returned, including the pinned signing key and the
 * host token (a secret too, so 0600); applied.json the last applied document, so the agent
 * never goes back in version across restarts and can restore the host after a reboot.
 */

export const defaultStateDir = '/var/lib/meshplane-agent';

export const identitySchema = z.object({
  server: z.string(),
  peerId: z.string(),
  hostToken: z.string(),
  signingPublicKey: z.string(), // base64 Ed25519, pinned at enrolment
  interface: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/),
  listen: z.string(), // ADDR:PORT of the push server
  endpoint: z.string(),
});
export type Identity = z.infer<typeof identitySchema>;

export type Applied = { version: number; state: NetworkState };
export interface AppliedStore {
  load(): Promise<Applied | null>;
  save(applied: Applied): Promise<void>;
}

/**
 * Not lib/wireguard/keys.ts publicKeyFromPrivate: that one throws on a key `wg` would refuse,
 * while `enroll` has always taken private.key as found (Buffer's lenient base64) and left any
 * failure to `wg` at `run`. Keys are made by lib's generateKeyPair.
 */
export function publicKeyOf(privateKey: string): string {
  return Buffer.from(x25519.getPublicKey(Buffer.from(privateKey, 'base64'))).toString('base64');
}

/** The key left by an earlier, failed enrolment, if any: it never left this machine, so reuse it. */
export async function readPrivateKey(dir: string): Promise<string | null> {
  try {
    return (await readFile(join(dir, 'private.key'), 'utf8')).trim();
  } catch {
    return null;
  }
}

export async function writePrivateKey(dir: string, privateKey: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await atomicWrite(join(dir, 'private.key'), `${privateKey}\n`, 0o600);
}

export async function writeIdentity(dir: string, identity: Identity): Promise<void> {
  await atomicWrite(join(dir, 'identity.json'), JSON.stringify(identitySchema.parse(identity), null, 2), 0o600);
}

export async function loadAgent(dir: string): Promise<{ identity: Identity; privateKey: string }> {
  const keyFile = join(dir, 'private.key');
  let mode: number;
  try {
    mode = (await stat(keyFile)).mode;
  } catch {
    throw new Error(`no private key in ${dir}: run \`enroll\` first`);
  }
  if ((mode & 0o077) !== 0) throw new Error(`${keyFile} is readable by others: chmod 600 ${keyFile}`);
  const privateKey = (await readFile(keyFile, 'utf8')).trim();
  const identity = identitySchema.parse(JSON.parse(await readFile(join(dir, 'identity.json'), 'utf8')));
  return { identity, privateKey };
}

export function fileAppliedStore(dir: string): AppliedStore {
  const file = join(dir, 'applied.json');
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return null; // nothing applied yet
      }
      const raw = JSON.parse(text) as { version: number; state: unknown };
      return { version: raw.version, state: networkStateSchema.parse(raw.state) };
    },
    save: (applied) => atomicWrite(file, JSON.stringify(applied), 0o600),
  };
}

export function memoryAppliedStore(initial: Applied | null = null): AppliedStore & { current: Applied | null } {
  const store = {
    current: initial,
    load: async () => store.current,
    save: async (a: Applied) => { store.current = structuredClone(a); },
  };
  return store;
}

async function atomicWrite(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text, { mode });
  await chmod(tmp, mode); // writeFile's mode is ignored when the file already exists
  await rename(tmp, path);
}
