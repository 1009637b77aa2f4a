import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/*
 * The repository's import graph, read with the TypeScript parser (not with regular
 * expressions): what each file imports, which names, and whether as types only. For the
 * structural tests of the gate and of the layers.
 */

export const root = path.resolve(__dirname, '../..');
export const rel = (file: string) => path.relative(root, file);

export type Import = { from: string; module: string; names: { name: string; typeOnly: boolean }[]; typeOnly: boolean; sideEffect: boolean };

export function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const parsed = new Map<string, ts.SourceFile>();
export function sourceOf(file: string): ts.SourceFile {
  let sf = parsed.get(file);
  if (!sf) parsed.set(file, (sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)));
  return sf;
}

/** A module specifier as a repository file, or null for a package (or node:). */
export function resolveModule(fromFile: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith('@/')) base = path.join(root, spec.slice(2));
  else if (spec.startsWith('.')) base = path.resolve(path.dirname(fromFile), spec);
  else return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${rel(fromFile)} imports ${spec}, which is no file`);
}

/** Static imports, re-exports and dynamic `import('…')` of a file. */
export function importsOf(file: string): Import[] {
  const sf = sourceOf(file);
  const out: Import[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const spec = node.moduleSpecifier.text;
      const module = resolveModule(file, spec) ?? spec;
      if (ts.isImportDeclaration(node)) {
        const clause = node.importClause;
        const typeOnly = !!clause?.isTypeOnly;
        const names: Import['names'] = [];
        if (clause?.name) names.push({ name: 'default', typeOnly });
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) names.push({ name: (el.propertyName ?? el.name).text, typeOnly: typeOnly || el.isTypeOnly });
        } else if (bindings && ts.isNamespaceImport(bindings)) names.push({ name: '*', typeOnly });
        out.push({ from: file, module, names, typeOnly, sideEffect: !clause });
      } else {
        const typeOnly = node.isTypeOnly;
        const names = node.exportClause && ts.isNamedExports(node.exportClause)
          ? node.exportClause.elements.map((el) => ({ name: (el.propertyName ?? el.name).text, typeOnly: typeOnly || el.isTypeOnly }))
          : [{ name: '*', typeOnly }];
        out.push({ from: file, module, names, typeOnly, sideEffect: false });
      }
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) {
        const module = resolveModule(file, arg.text) ?? arg.text;
        out.push({ from: file, module, names: [{ name: '*', typeOnly: false }], typeOnly: false, sideEffect: false });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every repository file `file` reaches through value imports (types are erased). */
export function reachable(file: string, seen = new Set<string>()): Set<string> {
  for (const imp of importsOf(file)) {
    if (imp.typeOnly || imp.names.length > 0 && imp.names.every((n) => n.typeOnly)) continue;
    if (!path.isAbsolute(imp.module) || seen.has(imp.module)) continue;
    seen.add(imp.module);
    reachable(imp.module, seen);
  }
  return seen;
}

/** Names a module exports as `export const x = operation({…})`: the gate's operations. */
export function operationsOf(file: string): Set<string> {
  const names = new Set<string>();
  for (const st of sourceOf(file).statements) {
    if (!ts.isVariableStatement(st) || !st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const d of st.declarationList.declarations) {
      const init = d.initializer;
      if (ts.isIdentifier(d.name) && init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'operation') {
        names.add(d.name.text);
      }
    }
  }
  return names;
}
