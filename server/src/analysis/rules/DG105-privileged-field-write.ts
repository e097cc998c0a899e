import type { FileFacts, FunctionFacts, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import { matchesAny } from '../model/names';
import { writtenAttributes, type WrittenAttribute } from '../model/tableCalls';
import { rangeOf } from '../parse/syntax';
import type { RuleModule } from './rule';
import { privilegedFix } from './support/privilegedFix';

/** Privileged attributes the request chooses (not the key: an unscoped key is DG101's finding). */
export function privilegedWrites(facts: FileFacts, call: TableCall): WrittenAttribute[] {
  const keys = new Set(call.keys.map((k) => k.attr));
  if (call.pynamoModel) keys.add(facts.module.classes.get(call.pynamoModel)?.hashKey);
  return writtenAttributes(call).filter((w) => {
    if (keys.has(w.attr) || !matchesAny(w.attr, facts.settings.ownerAttributes)) return false;
    const v = w.value;
    // A value verified equal to the caller is the caller's.
    return !v.subject?.length && !!v.request?.some((s) => !call.verified.has(s.id));
  });
}

const ADMIN_GUARD = /admin|superuser|staff|roles?_required|requires?_roles?|has_role|permission/i;
const ADMIN_CHECK = /^\s*(if|elif|assert)\b.*(\b(is_admin|is_superuser|is_staff|has_role|has_permission|roles?|groups|scopes?)\b|["']admin["'])/im;

/** Setting privileges is an admin endpoint's job: an admin/role check in its decorators, dependencies or before the write. */
function adminOnly(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall): boolean {
  const fn = fnFacts.fn;
  // Not the route decorator's path (`/me/admin`), only its `dependencies=[...]`.
  const decorators = fn.decorators.map((d) => (d === fnFacts.handler?.route ? /dependencies\s*=[\s\S]*/.exec(textOf(facts.text, d))?.[0] ?? '' : textOf(facts.text, d)));
  const guards = [...decorators, ...fn.params.map((p) => (p.default ? textOf(facts.text, p.default) : ''))];
  if (guards.some((g) => ADMIN_GUARD.test(g))) return true;
  return ADMIN_CHECK.test(facts.text.slice(fn.body.start, call.statement.start));
}

const rule: RuleModule = {
  meta: {
    code: 'DG105',
    name: 'privileged-field-write',
    defaultSeverity: 'error',
    summary: 'A write sets an ownership or privilege attribute (owner, role, is_admin, balance...) from request input.',
    cwe: ['CWE-915', 'CWE-269'],
    owasp: ['API3:2023 Broken Object Property Level Authorization', 'API5:2023 Broken Function Level Authorization'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags a write in an HTTP handler that sets an attribute matching `owner-attributes` (default `owner*`, `user_id`, `tenant*`, `role*`, `is_admin`, `admin`, `permissions`, `scopes`, `groups`, `verified`, `balance`, `credits`, `plan`) to a request-derived value: an `Item=` entry of `put_item` (also batch writers and `{"S": ...}` client values), a `SET`/`ADD`/`DELETE` action of a literal `UpdateExpression` whose `:value` (and `#name`) resolve to it, `AttributeUpdates`, and PynamoDB `User(role=body.role).save()`, `user.role = x` before `save()`, `update(actions=[User.role.set(x)])`.\n\nNot reported: a subject-derived or constant value, a request value verified equal to the caller by an ownership guard, and key attributes of the call (an unscoped key is DG101\'s finding). A whole payload written without an allow-list is DG302\'s. Endpoints restricted to administrators are not reported either (setting roles is their job): an admin/role/permission name in a decorator or dependency (`@admin_required`, `Depends(require_admin)`, `@roles_required("admin")`), or a role check before the write (`if not user.is_admin: raise`, `if "admin" not in claims["cognito:groups"]: ...`).',
      whyIsThisBad: 'Whoever controls these attributes controls authorization: `{"role": "admin"}`, `{"is_admin": true}`, `{"balance": 1e9}`, or `{"owner_id": "<victim>"}` to plant an item in someone else\'s account or steal theirs. DynamoDB stores whatever the API passes (OWASP API3/API5: mass assignment of privileged properties).',
      example: '@app.post("/users")\ndef register(body: SignUp):\n    users.put_item(Item={"user_id": body.email, "name": body.name, "role": body.role})',
      useInstead: 'users.put_item(Item={"user_id": body.email, "name": body.name, "role": "member"})\n# or, for ownership:\nnotes.put_item(Item={"note_id": nid, "owner_id": user.id, "title": body.title})',
      fixSafety: 'Ownership attributes (`owner*`, `user_id`, `author*`, `creator`, `created_by`) get the handler\'s subject instead (the same expression the DG101 fix uses); the fix is safe when the subject\'s shape is known from the file. Other attributes are removed: the dict entry or keyword, the `item.attr = ...` statement, or the update action with its now unused `#name`/`:value` entries. Removal changes what is stored, so it is never applied automatically (set a server-side default if the attribute is required). No fix for dynamic update expressions or a value that is part of a larger expression.',
      references: [
        'https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/',
        'https://cwe.mitre.org/data/definitions/915.html',
        'https://cheatsheetseries.owasp.org/cheatsheets/Mass_Assignment_Cheat_Sheet.html',
      ],
    },
  },
  messages: {
    privileged: '`{{method}}` sets {{attrs}} from {{source}}: the caller chooses {{what}} (privilege escalation or ownership takeover).',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.handlers) {
      for (const call of fnFacts.calls) {
        const hits = privilegedWrites(facts, call);
        if (!hits.length || adminOnly(facts, fnFacts, call)) continue;
        const attrs = [...new Set(hits.map((h) => `\`${h.attr}\``))];
        const source = hits[0]!.value.request!.find((s) => !call.verified.has(s.id))!;
        context.report({
          messageId: 'privileged',
          data: { method: call.method, attrs: attrs.join(', '), source: source.label, what: attrs.length > 1 ? 'their own values' : 'its value' },
          node: call.methodNode,
          related: hits.map((h) => ({ range: rangeOf(h.valueNode), message: `\`${h.attr}\` is taken from the request here` })),
          fixes: () => { const f = privilegedFix(facts, fnFacts, call, hits); return f ? [f] : []; },
        });
      }
    }
  },
};

export default rule;
