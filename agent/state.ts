import { x25519 } from '@noble/curves/ed25519.js';
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { type NetworkState, networkStateSchema } from '../lib/core/protocol/network-state';

/*
 * The agent's state directory. The private key is made here and never leaves it (0600);
 * identity.json holds what enrolment returned, including the pinned signing key and the
 * host token (a secret too, so 0600); applied.json the last applied document, so the agent
 * never goes back in version across restarts and can restore the host after a reboot.
 *
 * Every file is written so that a power loss leaves either the old or the new one: a temporary
 * file, fsync, rename, fsync of the directory. The JSON files carry a SHA-256 of their content
 * (`{"sha256":…,"data":…}`, over the exact bytes of `data`), so a torn or zeroed file is told
 * apart from a valid one; files written before checksums existed are still read.
 */

export const defaultStateDir = '/var/lib/meshplane-agent';

export const identitySchema = z.object({
  server: z.string(),
  peerId: z.string(),
  hostToken: z.string(),
  signingPublicKey: z.string(), // base64 Ed25519, pinned at enrolment
  interface: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/),
  listen: z.string().optional(), // ADDR:PORT of the push server; absent: reached only over the channel
  endpoint: z.string(),
});
export type Identity = z.infer<typeof identitySchema>;

export type Applied = { version: number; state: NetworkState };
/** `damaged`: the file was unreadable and moved aside; the message names both paths. */
export type LoadedApplied = { applied: Applied | null; damaged?: string };
export interface AppliedStore {
  load(): Promise<LoadedApplied>;
  save(applied: Applied): Promise<void>;
}

/** A state file that fails its checksum or its parse. */
export class DamagedFileError extends Error {}

/**
 * Not lib/core/wireguard/keys.ts publicKeyFromPrivate: that one throws on a key `wg` would refuse,
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
  await atomicWrite(join(dir, 'identity.json'), sealed(JSON.stringify(identitySchema.parse(identity), null, 2)), 0o600);
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
  if (Buffer.from(privateKey, 'base64').length !== 32) throw new Error(`${keyFile} is damaged (not a base64 key of 32 bytes). ${rejoin(dir)}`);
  const file = join(dir, 'identity.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`no ${file}: run \`enroll\` first`);
  }
  try {
    return { identity: identitySchema.parse(unseal(text)), privateKey };
  } catch (e) {
    throw new Error(`${file} is damaged (${reasonOf(e)}). ${rejoin(dir)}`);
  }
}

/** The one way back from a lost identity: enrol again (the pinned key and host token cannot be rebuilt). */
function rejoin(dir: string): string {
  return 'Re-join this host with a new enrolment token from its page in the dashboard: '
    + `mv ${dir} ${dir}.damaged && meshplane-agent enroll --server URL --token T --endpoint HOST:PORT --listen ADDR:PORT --state-dir ${dir}`;
}

export function fileAppliedStore(dir: string): AppliedStore {
  const file = join(dir, 'applied.json');
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return { applied: null }; // nothing applied yet
      }
      try {
        const raw = z.object({ version: z.number().int().min(0), state: networkStateSchema }).parse(unseal(text));
        if (raw.state.version !== raw.version) throw new DamagedFileError('its version does not match its document');
        return { applied: raw };
      } catch (e) {
        // Kept for a post-mortem; the agent starts without it and asks for a snapshot.
        const aside = join(dir, `applied.json.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`);
        await rename(file, aside);
        return { applied: null, damaged: `${file} is damaged (${reasonOf(e)}): moved to ${basename(aside)}` };
      }
    },
    save: (applied) => atomicWrite(file, sealed(JSON.stringify(applied)), 0o600),
  };
}

export function memoryAppliedStore(initial: Applied | null = null): AppliedStore & { current: Applied | null } {
  const store = {
    current: initial,
    load: async () => ({ applied: store.current }),
    save: async (a: Applied) => { store.current = structuredClone(a); },
  };
  return store;
}

const sealPrefix = '{"sha256":"';

/** `data` (JSON text) wrapped with the SHA-256 of its exact bytes. */
export function sealed(data: string): string {
  return `${sealPrefix}${createHash('sha256').update(data).digest('hex')}","data":${data}}\n`;
}

/** The parsed `data` of a sealed file (or a legacy unsealed one); throws DamagedFileError. */
export function unseal(text: string): unknown {
  const trimmed = text.trimEnd();
  if (trimmed.startsWith(sealPrefix)) {
    const hash = trimmed.slice(sealPrefix.length, sealPrefix.length + 64);
    const data = trimmed.slice(sealPrefix.length + 64 + '","data":'.length, -1);
    if (!trimmed.endsWith('}') || createHash('sha256').update(data).digest('hex') !== hash) throw new DamagedFileError('checksum mismatch');
    return JSON.parse(data);
  }
  if (trimmed === '') throw new DamagedFileError('empty');
  try {
    return JSON.parse(trimmed);
  } catch {
    throw new DamagedFileError('not JSON');
  }
}

function reasonOf(e: unknown): string {
  if (e instanceof DamagedFileError) return e.message;
  if (e instanceof z.ZodError) return `unexpected content: ${e.issues[0]?.path.join('.') || 'root'} ${e.issues[0]?.message ?? ''}`.trim();
  return e instanceof Error ? e.message : String(e);
}

/** temp file, fsync, rename, fsync of the directory: after a crash, the old file or the new one. */
export async function atomicWrite(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.chmod(mode); // open's mode is ignored when the file already exists
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const d = await open(dirname(path), 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
