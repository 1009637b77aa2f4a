import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { operation, GateDefinitionError } from '@/lib/auth/gate';

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
const ungatedRoutes = new Set(['app/api/auth/[...nextauth]/route.ts', 'app/api/worker/route.ts', 'app/api/agent/enroll/route.ts']);
const ungatedActionFiles = new Set(['app/(auth)/actions.ts']);

describe('the gate cannot be skipped', () => {
  it('refuses to define an operation without a permission', () => {
    expect(() => operation({ name: 'x', input: z.object({}), permission: undefined as never, run: async () => 1 })).toThrow(GateDefinitionError);
    expect(() => operation({ name: 'x', input: z.object({}), permission: 'made.up' as never, run: async () => 1 })).toThrow(/permission was not declared/);
  });

  it('refuses a project permission without a scope naming the project', () => {
    expect(() => operation({ name: 'x', input: z.object({}), permission: 'network.write', run: async () => 1 })).toThrow(/needs a scope/);
  });

  it('every API route handler is an apiRoute over an operation', () => {
    const routes = sources.filter((f) => f.endsWith('route.ts') && rel(f).startsWith('app/api/') && !ungatedRoutes.has(rel(f)));
    expect(routes.length).toBeGreaterThan(10);
    for (const file of routes) {
      const text = readFileSync(file, 'utf8');
      const exports = [...text.matchAll(/^export const (GET|POST|PUT|PATCH|DELETE)\s*=\s*(\w+)\(/gm)];
      expect(exports.length, `${rel(file)} exports no handler`).toBeGreaterThan(0);
      for (const [, method, wrapper] of exports) expect(wrapper, `${rel(file)} ${method}`).toBe('apiRoute');
      expect(text, `${rel(file)} defines a handler by hand`).not.toMatch(/export (async )?function (GET|POST|PUT|PATCH|DELETE)/);
    }
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
