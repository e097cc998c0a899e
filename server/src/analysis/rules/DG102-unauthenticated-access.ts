import { templateRoutes } from '../infra/auth';
import { EditBuilder, insertAt, mergeInsertions } from '../fixes/edits';
import { AUTHENTICATED, type FileFacts, type FunctionFacts } from '../model/facts';
import { textOf } from '../model/module';
import { isAuthDecoratorName } from '../model/names';
import { field, rangeOf } from '../parse/syntax';
import { exposure } from './support/anonymousExposure';
import type { Fix } from '../types';
import { verifiesCaller } from '../facts/capability';
import { newSubjectParam } from '../fixes/subject';
import { publicByDesign } from '../facts/publicness';
import type { RuleModule } from './rule';

function usesRequestInput(fnFacts: FunctionFacts): boolean {
  return fnFacts.calls.some((c) =>
    c.keys.some((k) => k.value.request?.length) ||
    [...c.kwargs.values()].some((k) => k.value.request?.length || k.value.payload) ||
    c.args.some((a) => a.value.request?.length));
}

export function hasSubject(fnFacts: FunctionFacts): boolean {
  const h = fnFacts.handler!;
  if (h.authenticatedBy || h.subjectParams.length > 0 || fnFacts.guardCalls.length > 0) return true;
  // Reading the identity (`g.user`, `session[...]`, claims) counts anywhere in the body; an auth
  // check call (`auth_is_valid(event)`, `get_jwt_identity()`) counts for the calls it dominates,
  // not for a branch that runs before it.
  if (fnFacts.subjectReads.some((s) => s.node.type !== 'call')) return true;
  return fnFacts.subjectReads.length > 0 && fnFacts.calls.every((c) => c.verified.has(AUTHENTICATED) || c.postChecked || !callUsesRequest(c));
}

function callUsesRequest(c: FunctionFacts['calls'][number]): boolean {
  return c.keys.some((k) => k.value.request?.length) ||
    [...c.kwargs.values()].some((k) => k.value.request?.length || k.value.payload) ||
    c.args.some((a) => a.value.request?.length);
}

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
      if (isAuthDecoratorName(name.slice(name.lastIndexOf('.') + 1), facts.settings.authFunctions)) {
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

function fix(facts: FileFacts, fnFacts: FunctionFacts): Fix | undefined {
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

const rule: RuleModule = {
  meta: {
    code: 'DG102',
    name: 'unauthenticated-access',
    defaultSeverity: 'warning',
    summary: 'A handler reads or writes the table with request input but never establishes who the caller is.',
    cwe: ['CWE-306', 'CWE-862'],
    owasp: ['API2:2023 Broken Authentication', 'API5:2023 Broken Function Level Authorization'],
    fixable: true,
    docs: {
      whatItDoes: 'Reports a handler (on its name) that calls DynamoDB with request input and has no subject at all: no `Depends(<auth>)`/`Security(<auth>)` parameter (also via `Annotated[...]`), no authentication decorator (`login_required`, `jwt_required`, `require_*`...), no router- or app-level `dependencies=[Depends(<auth>)]`, no Chalice `authorizer=`, and no read of the identity in the body (`g.user`, `current_user`, `get_jwt_identity()`, `current_request.context["authorizer"]`, `event["requestContext"]["authorizer"]`). The table calls are listed as related information. A handler without request input is reported too when it serves an admin route (an `admin` path segment or an `admin_` function name) or returns what a `scan`/`query` read from a table whose items are owned (an owner attribute in the key, projection or model, a personal table name, writes with the subject elsewhere): then anyone on the internet gets every owner\'s items.',
      whyIsThisBad: 'Without an identity the handler cannot scope anything to the caller: every key the client sends is served to anyone on the internet, including anonymous callers.',
      example: '@app.route("/api/users/<user_id>")\ndef get_user_profile(user_id):\n    return jsonify(table.get_item(Key={"user_id": user_id}).get("Item", {}))',
      useInstead: '@app.route("/api/users/<user_id>")\n@login_required\ndef get_user_profile(user_id):\n    if user_id != g.user["user_id"]:\n        abort(403)\n    ...',
      fixSafety: 'FastAPI: adds `current_user=Depends(<auth function>)` (the auth function found in the file or workspace, else `get_current_user`) and the `Depends` import; safe when that function exists. Flask: adds the authentication decorator the file\'s other handlers use (safe), else `@login_required` from flask_login (not applied automatically). Chalice: adds the `authorizer=` other routes use. Public endpoints that are meant to be anonymous should say so with `# dynamo-guard: ignore[DG102]`.',
      references: ['https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/', 'https://cwe.mitre.org/data/definitions/306.html'],
    },
  },
  messages: {
    unauthenticated: 'Handler `{{name}}` uses request input in {{count}} DynamoDB call(s) but never authenticates the caller{{route}}.',
    exposed: 'Handler `{{name}}` never authenticates the caller, yet it {{what}}.',
  },
  check(context) {
    for (const fnFacts of context.facts.handlers) {
      if (hasSubject(fnFacts)) continue;
      const facts = context.facts;
      const input = usesRequestInput(fnFacts);
      const exposed = input ? undefined : exposure(facts, fnFacts);
      if (!input && !exposed) continue;
      // Login/sign-up/reset/health routes serve anonymous callers by design; a verified token or a
      // cart capability read in the handler is the caller's authentication.
      if (publicByDesign(context.facts, fnFacts) || verifiesCaller(context.facts, fnFacts)) continue;
      const route = templateRoutes(context.facts, fnFacts.fn);
      if (route === 'guarded') continue;
      if (exposed) {
        context.report({
          messageId: 'exposed',
          data: { name: fnFacts.fn.name, what: exposed.what },
          node: fnFacts.fn.nameNode,
          related: [{ range: rangeOf(exposed.node), message: 'Reachable without authentication' }],
          fixes: () => { const f = fix(facts, fnFacts); return f ? [f] : []; },
        });
        continue;
      }
      const calls = fnFacts.calls.filter((c) => c.keys.length || c.kwargs.size || c.args.length);
      context.report({
        messageId: 'unauthenticated',
        data: { name: fnFacts.fn.name, count: String(calls.length), route: route?.why ?? '' },
        node: fnFacts.fn.nameNode,
        related: [...calls.map((c) => ({ range: rangeOf(c.methodNode), message: `\`${c.method}\` with request input` })), ...(route ? [route.related] : [])],
        fixes: () => { const f = fix(facts, fnFacts); return f ? [f] : []; },
      });
    }
  },
};

export default rule;
