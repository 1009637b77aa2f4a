import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { operation, GateDefinitionError } from '@/lib/server/auth/gate';

const root = path.resolve(__dirname, '../..');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.tsx?$/.test(name)) out.push(full);
  }
  return out;
}

const sources = [...walk(path.join(root, 'app')), ...walk(path.join(root, 'components'))];
const rel = (f: string) => path.relative(root, f);

// Routes and actions that are, by design, not a signed-in user acting on the API.
const ungatedRoutes = new Set([
  'app/api/auth/[...nextauth]/route.ts', 'app/api/worker/route.ts', 'app/api/agent/enroll/route.ts',
  // The agent's channel: authenticated by its host token (lib/server/delivery/host-auth.ts), not the user gate.
  'app/api/agent/v1/next/route.ts', 'app/api/agent/v1/answer/route.ts', 'app/api/agent/v1/report/route.ts',
  // Joining: the reusable join key is the credential (lib/server/join-keys/join.ts); leaving: the host token.
  'app/api/agent/join/route.ts', 'app/api/agent/v1/leave/route.ts',
  // Health checks for load balancers: no caller, no data (lib/server/health.ts).
  'app/api/health/route.ts', 'app/api/ready/route.ts',
  // Static and public: the CLI bundle and the API's description hold no secret.
  'app/cli/meshplane.mjs/route.ts', 'app/api/v1/openapi.json/route.ts',
  // Static and public: the agent bundle, its sha256 and the installer a host fetches before it
  // has any credential (the join key is given on the host, never served; lib/server/agent-download.ts).
  'app/agent/meshplane-agent.mjs/route.ts', 'app/agent/meshplane-agent.mjs.sha256/route.ts', 'app/agent/install.sh/route.ts',
]);
const ungatedActionFiles = new Set(['app/(auth)/actions.ts']);

describe('the gate cannot be skipped', () => {
  it('refuses to define an operation without a permission', () => {
    expect(() => operation({ name: 'x', input: z.object({}), permission: undefined as never, run: async () => 1 })).toThrow(GateDefinitionError);
    expect(() => operation({ name: 'x', input: z.object({}), permission: 'made.up' as never, run: async () => 1 })).toThrow(/permission was not declared/);
  });

  it('refuses a project permission without a scope naming the project', () => {
    expect(() => operation({ name: 'x', input: z.object({}), permission: 'network.write', run: async () => 1 })).toThrow(/needs a scope/);
  });

  it('every API route handler is an apiRoute over an operation, served at the path of its file', () => {
    const routes = walk(path.join(root, 'pages/api'));
    expect(routes.length).toBeGreaterThan(10);
    for (const file of routes) {
      const text = readFileSync(file, 'utf8');
      // pages/api/v1/networks/[networkId]/peers/index.ts is served at /api/v1/networks/[networkId]/peers
      const served = '/' + path.relative(path.join(root, 'pages'), file).replace(/(\/index)?\.ts$/, '');
      expect(text, `${rel(file)} is not one apiRoutes over its own path`).toContain(`export default apiRoutes('${served}', {`);
      expect(text, `${rel(file)} must leave the body to the API`).toContain('export const config = { api: { bodyParser: false } };');
      const handlers = [...text.matchAll(/^ {2}(\w+): (\w+)\(/gm)];
      expect(handlers.length, `${rel(file)} has no handler`).toBeGreaterThan(0);
      for (const [, method, wrapper] of handlers) {
        expect(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], `${rel(file)} ${method}`).toContain(method);
        expect(wrapper, `${rel(file)} ${method}`).toBe('apiRoute');
      }
      expect(text, `${rel(file)} defines a handler by hand`).not.toMatch(/export (default )?(async )?function/);
    }
  });

  it('the app router keeps only the routes outside the user gate', () => {
    const appRoutes = sources.filter((f) => f.endsWith('route.ts')).map(rel).sort();
    expect(appRoutes).toEqual([...ungatedRoutes].sort());
  });

  it('every server action runs an operation through runAction', () => {
    const actionFiles = sources.filter((f) => /^\s*['"]use server['"]/.test(readFileSync(f, 'utf8')) && !ungatedActionFiles.has(rel(f)));
    expect(actionFiles.length).toBeGreaterThan(3);
    for (const file of actionFiles) {
      const text = readFileSync(file, 'utf8');
      const bodies = text.split(/^export async function /m).slice(1);
      expect(bodies.length, `${rel(file)} exports no action`).toBeGreaterThan(0);
      expect(text, `${rel(file)} never calls runAction`).toMatch(/runAction\(/);
      // Each action hands an operation (…Op) to runAction or to a local wrapper of it.
      for (const body of bodies) expect(body, `${rel(file)}: ${body.slice(0, 40)}`).toMatch(/\(\s*\w+Op\b/);
    }
  });
});
