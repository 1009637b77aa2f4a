import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/*
 * What GET /agent/… serves: the agent bundled by `npm run build:agent` (dist/agent/), its
 * sha256, and agent/install.sh with this server's public address filled in. Public and
 * static like any download: none of it holds a secret (the join key is the host's to give).
 */

export const agentFileName = 'meshplane-agent.mjs';
const bundlePath = () => path.join(/* turbopackIgnore: true */ process.cwd(), 'dist', 'agent', agentFileName);
const installScriptPath = () => path.join(/* turbopackIgnore: true */ process.cwd(), 'agent', 'install.sh');

/** The placeholder in agent/install.sh that the served copy replaces with MESHPLANE_PUBLIC_URL. */
export const publicUrlPlaceholder = '__MESHPLANE_PUBLIC_URL__';

export type AgentBundle = { body: Buffer; sha256: string };

// Hashed once per build of the file (its size and mtime), not per download.
let cached: { key: string; bundle: AgentBundle } | undefined;

/** The bundled agent and its sha256 (hex), or null when this server has no build of it. */
export async function agentBundle(): Promise<AgentBundle | null> {
  const file = bundlePath();
  let key: string;
  try {
    const s = await stat(file);
    key = `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
  if (cached?.key !== key) {
    const body = await readFile(file);
    cached = { key, bundle: { body, sha256: createHash('sha256').update(body).digest('hex') } };
  }
  return cached.bundle;
}

/** The `sha256sum` line for the bundle: `<hex>  meshplane-agent.mjs`. */
export const sha256Line = (sha256: string) => `${sha256}  ${agentFileName}\n`;

/**
 * agent/install.sh with `server` as its default --server. `server` is a checked origin
 * (lib/server/env.ts: scheme, host, port; no quote can be in it), or null: then the script asks
 * for --server.
 */
export function renderInstallScript(template: string, server: string | null): string {
  if (server !== null && !/^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(server)) throw new Error(`not an origin: ${server}`);
  return template.split(publicUrlPlaceholder).join(server ?? '');
}

export async function installScript(server: string | null): Promise<string> {
  return renderInstallScript(await readFile(installScriptPath(), 'utf8'), server);
}

/** The one-liner a host runs as root to install the agent and join with `key`. */
export const installCommand = (server: string, key: string) => `curl -fsSL ${server}/agent/install.sh | sudo sh -s -- --key ${key}`;

export const notBuilt = () => new Response('The agent is not built on this server: run `npm run build` (or `npm run build:agent`).\n', {
  status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' },
});
