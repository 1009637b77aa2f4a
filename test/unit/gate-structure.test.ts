import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, operationsOf, reachable, rel, root, walk } from './import-graph';

/*
 * The gate, checked on the import graph rather than on text: a page, component, server
 * action or API route may take from server code only operations (which run through the
 * gate) and the few pieces of plumbing that call them. A server action that imported a data
 * function (say createMember, with a user id from the form) would fail here.
 */

const drivers = new Set(['drizzle-orm', 'postgres', '@electric-sql/pglite']);
const speaksToDatabase = (file: string) => importsOf(file).some((i) => !i.typeOnly && drivers.has(i.module));
const serverCode = new Map<string, boolean>();
/** lib/server, and any code that reaches the database (it, or what it imports as values, uses a driver). */
export function isServerCode(file: string): boolean {
  if (!serverCode.has(file)) serverCode.set(file, rel(file).startsWith('lib/server/') || speaksToDatabase(file) || [...reachable(file)].some(speaksToDatabase));
  return serverCode.get(file)!;
}

// What the gate's callers are built from: each runs operations, or is the session itself.
const plumbing: Record<string, string[]> = {
  'lib/server/actions/run-action.ts': ['runAction', 'formToObject'], // server actions: runAction(op, …)
  'lib/server/actions/load.ts': ['load'], // pages: load(op, input)
  'lib/server/http/api.ts': ['apiRoute', 'apiRoutes'], // the JSON API: apiRoute(op)
  'lib/server/auth/session.ts': ['requireUser', 'optionalUser', 'requestIp'], // who is asking
  'lib/server/auth/config.ts': ['signIn', 'signOut'], // next-auth's own
  // how this installation is configured, not data: the zone, the address hosts use
  'lib/server/env.ts': ['env'], 'lib/server/public-url.ts': ['publicUrl'], 'lib/server/http/origin.ts': ['publicOrigin'],
};

// Outside the user gate by design, each with its own check (gate-coverage.test.ts lists the routes).
const outsideTheGate = [
  /^app\/\(auth\)\//, // sign-in, sign-up and invitations: before there is a user
  /^app\/api\//, /^app\/cli\//, /^app\/agent\//, // agents (host tokens), the worker (its secret), health, next-auth, downloads
];

describe('the gate, on the import graph', () => {
  const files = ['app', 'components', 'pages'].flatMap((d) => walk(path.join(root, d))).filter((f) => !outsideTheGate.some((re) => re.test(rel(f))));

  it('pages, components, actions and API routes take from server code only operations and the gate\'s plumbing', () => {
    expect(files.length).toBeGreaterThan(50);
    const offences: string[] = [];
    for (const file of files) {
      for (const imp of importsOf(file)) {
        if (!path.isAbsolute(imp.module) || !rel(imp.module).startsWith('lib/') || !isServerCode(imp.module)) continue;
        const allowed = new Set([...operationsOf(imp.module), ...(plumbing[rel(imp.module)] ?? [])]);
        for (const n of imp.names) {
          if (!n.typeOnly && !allowed.has(n.name)) offences.push(`${rel(file)} takes ${n.name} from ${rel(imp.module)}`);
        }
      }
    }
    expect(offences, 'call an operation (lib/server/<aggregate>/operations.ts) instead, or move pure code to lib/core').toEqual([]);
  });

  it('would catch a server action that calls a data function itself', () => {
    const members = path.join(root, 'lib/server/members/members.ts');
    expect(isServerCode(members)).toBe(true);
    expect(operationsOf(members).has('createMember')).toBe(false);
    expect(operationsOf(path.join(root, 'lib/server/members/operations.ts')).has('createMemberOp')).toBe(true);
  });
});
