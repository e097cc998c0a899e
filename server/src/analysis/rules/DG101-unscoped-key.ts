import { serviceCaller } from '../facts/principal';
import { adminOnly, publicByDesign } from '../facts/publicness';
import type { RuleModule } from './rule';
import { reportOwnerFilter } from './support/ownerFilter';
import { unscopedSources } from './support/unscopedKey';
import { reportUnscoped } from './support/unscopedReport';

const rule: RuleModule = {
  meta: {
    code: 'DG101',
    name: 'unscoped-key',
    defaultSeverity: 'error',
    summary: 'A table call in a handler uses a key taken from the request without checking it belongs to the caller (BOLA/IDOR).',
    cwe: ['CWE-639', 'CWE-284'],
    owasp: ['API1:2023 Broken Object Level Authorization'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags a DynamoDB call inside an HTTP handler whose key (`Key=`, the key attributes of `Item=`, the partition-key value of a key condition, a PartiQL parameter, a PynamoDB hash key) comes from request input (path, query, body, headers) when nothing ties it to the authenticated caller: no ownership guard on every path before the call, no subject-derived key attribute, no `ConditionExpression` binding an owner attribute to the subject, and (for reads) no check of the fetched item\'s owner before it is returned.\n\nRecognised guards: `if key != subject: raise HTTPException(403)` (also 401/404, `abort(...)`, `return ..., 403`, `raise Forbidden`, a Lambda `{"statusCode": 403}`), the negated form `if key == subject: ... else: deny`, the call inside `if key == subject:`, and a call to a helper in the same file whose body is such a guard on its parameters. A guard placed after the call, or comparing another variable, does not count.\n\nKeys are followed through layers: into services and repositories, through transaction entries built by factory methods (`TransactItems=[ops.debit(src), ops.credit(dst)]`, each entry read on its own), and out of items the request picks from a read (a loop or comprehension `if item["code"] == body["code"]`, `next(i for i in items if ...)`, a scan or query `FilterExpression`, a PynamoDB `filter_condition`) unless the same condition, filter or key condition also binds the caller.\n\nNot reported: routes public by design (login, sign-up, token, password reset, health: looking an item up by the submitted credential is their purpose); reads of tables with no evidence of owned items (a shared catalogue read by id); Lambda handlers whose only caller identity is an IAM principal (`requestContext.identity.userArn`/`caller`, or a helper such as `iam_user_id(event)`: service-to-service routes have no end user whose items could be crossed); and contributions to shared items — an `update_item` that only counts by a constant (`SET votes = votes + :one`, `ADD views :one`) or appends an entry carrying the caller\'s identity (`SET comments = list_append(comments, :mine)`), touching no owner or privilege attribute (`balance`, `owner_id`, `role`: a deposit into any wallet stays BOLA); tables reached with credentials the authorizer minted for the caller (`aws_session_token=event["requestContext"]["authorizer"]["sessiontoken"]`, a role pinning `dynamodb:LeadingKeys` to the tenant: DynamoDB refuses other tenants\' keys); a put writing back an item fetched with a caller-bound key; and a put (also a transaction `Put` entry) conditioned on `attribute_not_exists`, which cannot touch an existing item.\n\nOwnership evidence is looked for in the file and in every module of the workspace using the same table name; the related information names it ("items of `orders` are written with `customer_id = user.sub` at orders.py:48"), and so does the message when the evidence is in another module.\n\nAlso a `scan`/`query` filtering an owner attribute by unchecked request input (`Attr("owner_id").eq(body["owner_id"])`) whose items reach the response.',
      whyIsThisBad: 'DynamoDB has no row-level security: it executes any request whose key matches. A caller who changes `/users/123` to `/users/124` reads or overwrites someone else\'s item. This is Broken Object Level Authorization, the first risk of the OWASP API Top 10.',
      example: '@app.get("/notes/{note_id}")\ndef get_note(note_id: str, user: dict = Depends(get_current_user)):\n    return table.get_item(Key={"note_id": note_id})["Item"]',
      useInstead: '@app.get("/notes/{note_id}")\ndef get_note(note_id: str, user: dict = Depends(get_current_user)):\n    item = table.get_item(Key={"note_id": note_id}).get("Item")\n    if not item or item["owner_id"] != user["user_id"]:\n        raise HTTPException(status_code=404)\n    return item\n\n# or key the table by the caller:\n    table.get_item(Key={"user_id": user["user_id"], "note_id": note_id})',
      fixSafety: 'The 403-guard fix inserts `if <key> != <subject>: <deny>` before the statement, in the framework\'s idiom (FastAPI `HTTPException(status_code=403)`, Flask `abort(403)`, Chalice `ForbiddenError`, Lambda a 403 response), adding a `Depends(<auth function>)` parameter and the imports it needs. It is safe (applied by fix-all) when the subject\'s shape is known from the file (how the subject is used elsewhere, what the auth function returns); when DynamoGuard had to guess (e.g. `.id`), the fix is offered but not applied automatically. The guard is preferred when the key names a user (`user_id`, `owner_id`, `account_id`...: profile-style routes). For items owned by a user (a note id, an order id) the preferred fix is a fetch-then-check after a `get_item` (`if (item or {}).get("owner_id") != <subject>:` then 404, which does not reveal that the item exists) and, for update/delete, the `ConditionExpression` fix; both are safe when the owner attribute is known from the file (an attribute it already binds to the subject). The `ConditionExpression owner_attr = :dg_owner` fix is never applied automatically: the owner attribute name is a guess (an attribute the file already binds to the subject, else `owner_id`).\n\nWhen the code is not understood (a key from `getattr`, `**kwargs` of unknown origin, a table DynamoGuard cannot resolve and that is called without DynamoDB-only keyword arguments) the rule stays silent rather than guess.',
      references: [
        'https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/',
        'https://cwe.mitre.org/data/definitions/639.html',
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html',
      ],
    },
  },
  messages: {
    ownerFilter: '`{{method}}` returns the items whose `{{attr}}` is {{source}}: the request chooses whose items it reads (BOLA).',
    unscoped: '`{{method}}` uses a key from {{source}} that is never checked against the authenticated caller: any user can {{verb}} another user\'s item (BOLA/IDOR).{{evidence}}',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.handlers) {
      // Looking an item up by the submitted credential is what login/sign-up/reset routes are for.
      if (publicByDesign(facts, fnFacts)) continue;
      // Called by other services with AWS credentials: no end user, so no other user's item.
      if (serviceCaller(facts, fnFacts)) continue;
      const admin = adminOnly(facts, fnFacts);
      for (const call of fnFacts.calls) {
        const hit = unscopedSources(call);
        if (!hit) reportOwnerFilter(context, fnFacts, call);
        else reportUnscoped(context, fnFacts, call, hit, admin);
      }
    }
  },
};

export default rule;
