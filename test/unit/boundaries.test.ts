import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, rel, root, walk } from './import-graph';

/*
 * The house's layers, enforced on the import graph: lib/core is pure (the agent and the
 * browser bundle it), lib/server holds everything that touches the database, the
 * environment or Next, and the agent is built from its own files and the core alone.
 */

const underRoot = (dir: string) => walk(path.join(root, dir));
const serverPackages = /^(drizzle-orm|drizzle-kit|postgres|@electric-sql\/pglite|next|next-auth|react|react-dom)(\/|$)/;

function offences(files: string[], allowed: (imp: { module: string; file: string }) => boolean): string[] {
  const out: string[] = [];
  for (const file of files) {
    for (const imp of importsOf(file)) {
      if (!allowed({ module: imp.module, file })) out.push(`${rel(file)} imports ${path.isAbsolute(imp.module) ? rel(imp.module) : imp.module}`);
    }
  }
  return out;
}

describe('layers', () => {
  it('lib/core imports nothing of lib/server, the app or the database, not even a type', () => {
    const core = underRoot('lib/core').filter((f) => !/\.test\.tsx?$/.test(f));
    expect(core.length).toBeGreaterThan(20);
    expect(offences(core, ({ module }) => path.isAbsolute(module) ? rel(module).startsWith('lib/core/') : !serverPackages.test(module))).toEqual([]);
  });

  it('the agent is built from its own files and lib/core only', () => {
    const agent = underRoot('agent').filter((f) => !/\.test\.tsx?$/.test(f) && !f.endsWith('test-support.ts') && !f.endsWith('fake-system.ts'));
    expect(agent.length).toBeGreaterThan(8);
    expect(offences(agent, ({ module }) => path.isAbsolute(module) ? /^(agent|lib\/core)\//.test(rel(module)) : !serverPackages.test(module))).toEqual([]);
  });

  it('lib/server never imports the app, its pages or its components', () => {
    // Except the OpenAPI registry, which reads each API route file to describe it.
    const server = underRoot('lib/server').filter((f) => rel(f) !== 'lib/server/openapi/registry.ts');
    expect(offences(server, ({ module }) => !path.isAbsolute(module) || !/^(app|components|pages)\//.test(rel(module)))).toEqual([]);
  });

  it('nothing is left in lib/ outside core and server', () => {
    expect(underRoot('lib').map(rel).filter((f) => !/^lib\/(core|server)\//.test(f))).toEqual([]);
  });
});
