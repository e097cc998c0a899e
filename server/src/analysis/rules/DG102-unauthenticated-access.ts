import { templateRoutes } from '../infra/auth';
import { rangeOf } from '../parse/syntax';
import { exposure } from './support/anonymousExposure';
import { hasSubject, openCalls, usesRequestInput } from './support/authentication';
import { authFix } from './support/authFix';
import { verifiesCaller } from '../facts/capability';
import { publicByDesign } from '../facts/publicness';
import type { RuleModule } from './rule';

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
      whatItDoes: 'Reports a handler (on its name) that calls DynamoDB with request input and has no subject at all: no `Depends(<auth>)`/`Security(<auth>)` parameter (also via `Annotated[...]`), no authentication decorator (`login_required`, `jwt_required`, `require_*`..., or a decorator of the file whose wrapper leaves when the session has no user), no router- or app-level `dependencies=[Depends(<auth>)]`, no Chalice `authorizer=`, and no read of the identity in the body (`g.user`, `current_user`, `get_jwt_identity()`, `current_request.context["authorizer"]`, `event["requestContext"]["authorizer"]`). A Flask session authenticates only the calls it guards: after a check that leaves without a user (`if "user_id" not in session: return redirect(...)`, `if not session.get("user_id"): abort(401)`) or a `session["user_id"]` read (it raises without one); a `session.get(...)` nothing checks, or a call on a branch before the check, is reported. In a handler that checks the session on some paths, a lookup of one shared item before the check (a page anyone may view) is not. A filter the request chooses (`FilterExpression=Attr("user").eq(body["user"])`) is request input like a key. The table calls are listed as related information. A handler without request input is reported too when it serves an admin route (an `admin` path segment or an `admin_` function name) or returns what a `scan`/`query` read from a table whose items are owned (an owner attribute in the key, projection or model, a personal table name, writes with the subject elsewhere): then anyone on the internet gets every owner\'s items.',
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
          fixes: () => { const f = authFix(facts, fnFacts); return f ? [f] : []; },
        });
        continue;
      }
      const calls = openCalls(facts, fnFacts);
      if (!calls) continue;
      context.report({
        messageId: 'unauthenticated',
        data: { name: fnFacts.fn.name, count: String(calls.length), route: route?.why ?? '' },
        node: fnFacts.fn.nameNode,
        related: [...calls.map((c) => ({ range: rangeOf(c.methodNode), message: `\`${c.method}\` with request input` })), ...(route ? [route.related] : [])],
        fixes: () => { const f = authFix(facts, fnFacts); return f ? [f] : []; },
      });
    }
  },
};

export default rule;
