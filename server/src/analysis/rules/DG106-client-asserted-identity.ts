import type { FileFacts, FunctionFacts } from '../model/facts';
import { textOf } from '../model/module';
import { field, visit, type SyntaxNode } from '../parse/syntax';
import type { RuleModule } from './rule';
import { headerParams, identityRead, readsIn } from './support/identityRead';

const PUBLIC_ROUTE = /log_?in|sign_?(in|up)|register|token|password|reset|confirm|verify/i;
const PRIVILEGE = /role|admin|auth_?level|authlevel|access_?level|scope|group|permission/i;

const SUBJECTISH = /\b(g\.\w*|current_user|get_jwt_identity|get_jwt|claims|session|authorizer|identity)\b/;

/** Does the condition involve the authenticated subject (a guard comparing the request value with it)? */
function againstSubject(text: string, fnFacts: FunctionFacts, cond: SyntaxNode): boolean {
  const t = textOf(text, cond);
  if (SUBJECTISH.test(t)) return true;
  if (fnFacts.handler?.subjectParams.some((p) => new RegExp(`\\b${p.name}\\b`).test(t))) return true;
  return fnFacts.subjectReads.some((s) => s.node.start >= cond.start && s.node.end <= cond.end);
}

function checkHandler(facts: FileFacts, fnFacts: FunctionFacts, report: (read: SyntaxNode, how: string) => void): void {
  const text = facts.text;
  // Variables holding an identity read (`role = body.get("role")`), and header parameters.
  const holders = headerParams(facts, fnFacts);
  visit(fnFacts.fn.body, (n) => {
    if (n.type === 'function_definition' || n.type === 'lambda') return false;
    const right = n.type === 'assignment' && field(n, 'left')?.type === 'identifier' ? field(n, 'right') : undefined;
    // Only the value itself (`user = headers["X-User"]`), not a structure built with it.
    if (right && identityRead(text, right)) holders.set(textOf(text, field(n, 'left')!), right);
    return true;
  });
  const readsOrHolders = (root: SyntaxNode): SyntaxNode[] => {
    const out = readsIn(text, root);
    visit(root, (n) => {
      if (n.type === 'identifier' && holders.has(textOf(text, n))) out.push(holders.get(textOf(text, n))!);
      return true;
    });
    return out;
  };
  // An authorization branch decided by the asserted identity.
  visit(fnFacts.fn.body, (n) => {
    if (n.type === 'function_definition' || n.type === 'lambda') return false;
    if (n.type === 'if_statement' || n.type === 'elif_clause' || n.type === 'assert_statement') {
      const cond = n.type === 'assert_statement' ? n.children.find((c) => c.named) : field(n, 'condition');
      // A comparison (`== "admin"`, `in ADMINS`, `!= owner`) or a privilege flag's truth (`if body["is_admin"]:`);
      // a bare presence check of a name or e-mail is input validation.
      const compares = !!cond && /==|!=|\bin\b|\bis\b/.test(textOf(text, cond));
      // Compared with the authenticated subject, the request value is being checked: the right guard.
      if (cond && !againstSubject(text, fnFacts, cond)) for (const r of readsOrHolders(cond)) if (compares || PRIVILEGE.test(textOf(text, r))) report(r, 'decides an authorization branch');
    }
    return true;
  });
  // The asserted identity as the key of a table call: a header always (nobody sends their
  // identity in a header but to assert it); a body or query field when the handler has no
  // authenticated subject to compare it with (with one, a chosen key is DG101's BOLA).
  const hasSubject = !!(fnFacts.handler?.authenticatedBy || fnFacts.handler?.subjectParams.length || fnFacts.subjectReads.length);
  // Public by design (RULES.md): a login or sign-up looks the caller up by what they submit.
  if (PUBLIC_ROUTE.test(fnFacts.fn.name) || PUBLIC_ROUTE.test(fnFacts.handler?.path ?? '')) return;
  for (const call of fnFacts.calls) {
    if (call.via) continue;
    for (const k of call.keys) {
      for (const r of readsOrHolders(k.node)) {
        const header = r.type === 'identifier' || /headers/i.test(textOf(text, r));
        if (header || !hasSubject) report(r, `is used as the key of \`${call.method}\``);
      }
    }
  }
}

const rule: RuleModule = {
  meta: {
    code: 'DG106',
    name: 'client-asserted-identity',
    defaultSeverity: 'error',
    summary: 'Identity or privilege taken from a header, body or query field decides authorization or stands in for the subject.',
    cwe: ['CWE-290', 'CWE-639'],
    owasp: ['API1:2023', 'API5:2023'],
    fixable: false,
    docs: {
      whatItDoes: 'Flags, in an HTTP handler, the read of a request field named like an identity or a privilege — `user`, `username`, `user_id`, `email`, `owner_id`, `tenant_id`, `role`, `user_role`, `auth_level`/`authLevel`, `is_admin`, `scopes`, `groups`, `permissions` (also with an `X-` prefix) — from headers (`request.headers`, `event["headers"]`, a FastAPI `Header()` parameter), the JSON body or the query string, when it decides an authorization branch (`if body["authLevel"] == "admin":`, `assert request.headers["X-Role"] in ADMINS`) or is used as the key of a DynamoDB call (`Key={"username": request.headers["X-User"]}`). The finding is anchored on the read. Path parameters are not flagged here: a path chooses an object, which is DG101\'s business; a header or body field named `username` asserts who the caller is.',
      whyIsThisBad: 'Any client can send any header or body. An API that believes `X-User-Id: 42` or `{"authLevel": "admin"}` lets every caller act as any user or as an administrator (CWE-290, authentication bypass by spoofing). Identity must come from a verified credential: a validated token\'s claims, a session, an API Gateway authorizer.',
      example: '@app.route("/admin/dump")\ndef dump():\n    if request.json.get("authLevel") == "admin":\n        return jsonify(table.scan()["Items"])\n    abort(403)',
      useInstead: '@app.route("/admin/dump")\n@jwt_required()\ndef dump():\n    if get_jwt().get("role") != "admin":\n        abort(403)\n    ...',
      fixSafety: 'No automatic fix: replacing the asserted identity with the authenticated subject changes what the endpoint accepts and needs the application\'s auth dependency; the message names the read to replace.',
      references: [
        'https://cwe.mitre.org/data/definitions/290.html',
        'https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/',
      ],
    },
  },
  messages: {
    asserted: '`{{read}}` is chosen by the client but {{how}}: the caller asserts who they are. Use the authenticated subject instead.',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.handlers) {
      const seen = new Set<number>();
      checkHandler(facts, fnFacts, (read, how) => {
        if (seen.has(read.start)) return;
        seen.add(read.start);
        const shown = textOf(facts.text, read).replace(/\s+/g, ' ');
        context.report({ messageId: 'asserted', data: { read: shown.length > 60 ? `${shown.slice(0, 57)}...` : shown, how }, node: read });
      });
    }
  },
};

export default rule;
