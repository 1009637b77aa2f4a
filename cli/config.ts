import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from './errors';

export type Env = Record<string, string | undefined>;

// Where `meshplane login` keeps the server and token: the token acts as its user, so the
// file is the user's alone (mode 600), like ~/.netrc.

const storedSchema = z.object({ server: z.string().optional(), token: z.string().optional() });
export type Stored = z.infer<typeof storedSchema>;
export type Target = { server: string; token: string };

export function configPath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config');
  return path.join(base, 'meshplane', 'config.json');
}

export function readStored(file: string): Stored {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    return storedSchema.parse(JSON.parse(text));
  } catch {
    throw new UsageError(`${file} is not a Meshplane config: run \`meshplane login --server URL --token T\` again.`);
  }
}

export function writeStored(file: string, stored: Stored): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600); // writeFileSync's mode applies only when it creates the file
}

/** A server URL as typed (`mesh.example.com`, `http://127.0.0.1:3000/`) reduced to its origin. */
export function normalizeServer(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`--server: "${raw}" is not a URL (e.g. https://mesh.example.com).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server: use an http:// or https:// URL, not ${url.protocol}`);
  return url.origin;
}

/** The environment wins over the file, each value on its own. */
export function resolveTarget(stored: Stored, env: Env): Target {
  const server = env.MESHPLANE_SERVER || stored.server;
  const token = env.MESHPLANE_TOKEN || stored.token;
  if (!server || !token) {
    const missing = [!server && 'server', !token && 'token'].filter(Boolean).join(' and ');
    throw new UsageError(`No ${missing} configured: run \`meshplane login --server URL --token T\` (or set MESHPLANE_SERVER and MESHPLANE_TOKEN).`);
  }
  return { server: normalizeServer(server), token };
}
