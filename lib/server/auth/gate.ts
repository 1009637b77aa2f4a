import { z } from 'zod';
import type { Db } from '../db/client';
import { getDb } from '../db/client';
import type { Role } from '../db/schema';
import { AppError, forbidden, invalid, notFound, unauthenticated } from '../errors';
import type { Actor } from '../audit/record';
import { can, permissions, type Permission } from '../../core/permissions';
import { accessTo, scopeLabel, type Scope } from './scope';

/** `sessionId` when the caller is a dashboard session (not an API token): a password change keeps it. */
export type Principal = { userId: string; email: string; sessionId?: string };

export const principalOf = (user: { id: string; email: string }): Principal => ({ userId: user.id, email: user.email });

/** What a handler gets: only after the gate has authenticated, parsed and authorized. */
export type GateContext = {
  db: Db;
  principal: Principal;
  actor: Actor;
  /** Set when the operation is scoped to a project. */
  projectId: string | null;
  role: Role | null;
};

type Def<S extends z.ZodType, R> = {
  name: string;
  input: S;
  /**
   * 'signed-in' is for operations on the caller's own things (their projects list, tokens,
   * devices): every other permission needs a scope that names the project.
   */
  permission: Permission | 'signed-in';
  scope?: (input: z.output<S>) => Scope;
  run: (ctx: GateContext, input: z.output<S>) => Promise<R>;
};

// `run` is not part of an operation: its handler is reachable only through execute().
export type Operation<S extends z.ZodType = z.ZodType, R = unknown> = Omit<Def<S, R>, 'run'> & {
  execute: (principal: Principal | null, raw: unknown, meta?: { ip?: string | null; db?: Db }) => Promise<R>;
};

/** Every operation ever defined, so a test can drive each one through its gate. */
export const operationRegistry: Operation[] = [];

export class GateDefinitionError extends Error {}

/**
 * The one gate. A handler is only reachable through execute(), which authenticates, parses,
 * resolves the project and checks the role matrix first; an operation that declares no
 * permission (or a project permission without a scope) cannot even be defined.
 */
export function operation<S extends z.ZodType, R>(def: Def<S, R>): Operation<S, R> {
  if (def.permission !== 'signed-in' && !(permissions as readonly string[]).includes(def.permission as string)) {
    throw new GateDefinitionError(`Operation ${def.name}: permission was not declared`);
  }
  if (def.permission !== 'signed-in' && !def.scope) {
    throw new GateDefinitionError(`Operation ${def.name}: a project permission needs a scope`);
  }
  const { run, ...declared } = def;
  const op: Operation<S, R> = {
    ...declared,
    async execute(principal, raw, meta = {}) {
      if (!principal) throw unauthenticated();
      const db = meta.db ?? (await getDb());
      const parsed = def.input.safeParse(raw ?? {});
      let projectId: string | null = null;
      let role: Role | null = null;
      if (def.scope) {
        // Resolve visibility before reporting bad input, so a stranger learns nothing.
        let scope: Scope | undefined;
        try { scope = def.scope((parsed.success ? parsed.data : raw) as z.output<S>); } catch { scope = undefined; }
        if (!scope) throw parsed.success ? notFound() : toInvalid(parsed.error);
        const access = await accessTo(db, scope, principal.userId);
        projectId = access?.projectId ?? null;
        role = access?.role ?? null;
        if (!projectId || !role) throw notFound(scopeLabel(scope));
        if (!can(role, def.permission as Permission)) throw forbidden();
      }
      if (!parsed.success) throw toInvalid(parsed.error);
      const actor: Actor = { userId: principal.userId, email: principal.email, ip: meta.ip ?? null };
      return run({ db, principal, actor, projectId, role }, parsed.data);
    },
  };
  operationRegistry.push(op as unknown as Operation);
  return op;
}

function toInvalid(error: z.ZodError): AppError {
  const issue = error.issues[0];
  const field = issue?.path.filter((p) => typeof p !== 'symbol').join('.') || undefined;
  return invalid(issue?.message ?? 'Invalid input.', field);
}

export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.filter((p) => typeof p !== 'symbol').join('.') || '_';
    out[key] ??= issue.message;
  }
  return out;
}
