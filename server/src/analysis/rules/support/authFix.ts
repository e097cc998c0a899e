import { EditBuilder, insertAt, mergeInsertions } from '../../fixes/edits';
import { newSubjectParam } from '../../fixes/subject';
import type { FileFacts, FunctionFacts } from '../../model/facts';
import { textOf } from '../../model/module';
import { isAuthDecoratorName } from '../../model/names';
import { field } from '../../parse/syntax';
import type { Fix } from '../../types';

// DG102's fix: require the authentication the rest of the file (or workspace) already uses.

// Per-file answers shared by every handler's fix: recomputing them per finding made a file with
// thousands of handlers quadratic.
const decoratorOf = new WeakMap<FileFacts, { best: string | undefined }>();
const authorizersOf = new WeakMap<FileFacts, string[]>();

/** The auth decorator other handlers of the file use (`@login_required`, `@jwt_required()`). */
function fileAuthDecorator(facts: FileFacts): string | undefined {
  let memo = decoratorOf.get(facts);
  if (!memo) decoratorOf.set(facts, (memo = { best: countAuthDecorators(facts) }));
  return memo.best;
}

/** Distinct Chalice `authorizer=` values of the file's routes, in order. */
function fileAuthorizers(facts: FileFacts): string[] {
  let memo = authorizersOf.get(facts);
  if (memo) return memo;
  const seen = new Set<string>();
  for (const f of facts.handlers) {
    const route = f.handler?.route;
    if (!route || route.type !== 'call') continue;
    const arg = field(route, 'arguments')?.children.find((c) => c.type === 'keyword_argument' && textOf(facts.text, field(c, 'name')!) === 'authorizer');
    if (arg) seen.add(textOf(facts.text, field(arg, 'value')!));
  }
  authorizersOf.set(facts, (memo = [...seen]));
  return memo;
}

function countAuthDecorators(facts: FileFacts): string | undefined {
  const counts = new Map<string, number>();
  for (const f of facts.handlers) {
    for (const d of f.fn.decorators) {
      const callee = d.type === 'call' ? field(d, 'function')! : d;
      const name = textOf(facts.text, callee);
      // Also the file's own decorators that check the session (`handler.authenticatedBy`).
      if (d === f.handler?.authenticatedBy || isAuthDecoratorName(name.slice(name.lastIndexOf('.') + 1), facts.settings.authFunctions)) {
        const t = textOf(facts.text, d);
        counts.set(t, (counts.get(t) ?? 0) + 1);
      }
    }
  }
  let best: string | undefined;
  let n = 0;
  for (const [t, c] of counts) if (c > n) [best, n] = [t, c];
  return best;
}

export function authFix(facts: FileFacts, fnFacts: FunctionFacts): Fix | undefined {
  const h = fnFacts.handler!;
  const b = new EditBuilder(facts);
  const fn = fnFacts.fn;
  if (h.framework === 'fastapi') {
    const names = facts.authFunctionNames;
    const { text, auth } = newSubjectParam(facts, fn);
    const authModule = b.isBound(auth) ? undefined : facts.workspace?.authModuleOf?.(auth, facts.path);
    return {
      title: `Require authentication: add \`${text}\``,
      edits: mergeInsertions([b.ensureImport('fastapi', 'Depends'), authModule ? b.ensureImport(authModule, auth) : undefined, b.addParameter(fn, text)]),
      isPreferred: true,
      safe: names.includes(auth) && (b.isBound(auth) || !!authModule),
    };
  }
  if (h.framework === 'flask') {
    const existing = fileAuthDecorator(facts);
    const imports = [...facts.module.imports.values()].map((i) => i.qualified);
    let decorator = existing;
    const edits = [];
    if (!decorator) {
      if (imports.some((q) => q.startsWith('flask_jwt_extended'))) {
        decorator = 'jwt_required()';
        edits.push(b.ensureImport('flask_jwt_extended', 'jwt_required'));
      } else {
        decorator = 'login_required';
        edits.push(b.ensureImport('flask_login', 'login_required'));
      }
    }
    // Below the route decorator: decorators apply bottom-up, so auth runs inside the route.
    const indent = b.indentOf(fn.node.startRow);
    edits.push(insertAt(fn.node.startRow, 0, `${indent}@${decorator}\n`));
    return { title: `Require authentication: add \`@${decorator}\``, edits: mergeInsertions(edits), isPreferred: true, safe: !!existing };
  }
  if (h.framework === 'chalice' && h.route?.type === 'call') {
    // Reuse an authorizer another route of the file already uses.
    for (const value of fileAuthorizers(facts)) {
      const e = b.addKeywordArgument(h.route, 'authorizer', value);
      if (e) return { title: 'Require authentication: add the authorizer used by the other routes', edits: [e], isPreferred: true, safe: true };
    }
  }
  return undefined;
}
