import { payloadFilterFix } from '../fixes/payloadFilter';
import type { TableCall } from '../model/facts';
import type { Source, Value } from '../model/values';
import { rangeOf, type SyntaxNode } from '../parse/syntax';
import type { RuleModule } from './rule';

const WRITE_ARGS = ['Item', 'UpdateExpression', 'ExpressionAttributeValues', 'AttributeUpdates'];

function wholePayload(v: Value | undefined): Source | undefined {
  return v && v.payload && !v.filtered ? v.payload : undefined;
}

/** The payload-carrying argument of a write, if any. */
export function massAssigned(call: TableCall): { arg: string; node: SyntaxNode; source: Source } | undefined {
  if (!call.isWrite) return undefined;
  for (const name of WRITE_ARGS) {
    const kw = call.kwargs.get(name);
    const src = wholePayload(kw?.value);
    if (kw && src) return { arg: name, node: kw.node, source: src };
  }
  if (call.api === 'pynamo') {
    const src = wholePayload(call.receiverValue);
    if (src) return { arg: 'item', node: call.receiver, source: src };
  }
  return undefined;
}

const rule: RuleModule = {
  meta: {
    code: 'DG302',
    name: 'mass-assignment',
    defaultSeverity: 'error',
    summary: 'A write stores the whole request payload (Item=request.json, payload.model_dump(), a loop over body.items()) without an allow-list.',
    cwe: ['CWE-915'],
    owasp: ['API3:2023 Broken Object Property Level Authorization'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags `put_item`/`update_item` (and PynamoDB `save`/`update`) whose `Item=`, `UpdateExpression`, `ExpressionAttributeValues` or `AttributeUpdates` is built from a whole request payload: `request.json`, `request.get_json()`, `payload.dict()`/`model_dump()`, `json.loads(event["body"])`, `current_request.json_body`, `{**body, ...}`, `dict(body)`, or a loop/comprehension over `body.items()`/`body.keys()`. A payload filtered through an allow-list (`{k: v for k, v in body.items() if k in ALLOWED}`, a loop over a constant list of fields) or written field by field does not count.',
      whyIsThisBad: 'The client decides which attributes are written: `{"role": "admin", "owner_id": "<someone else>", "balance": 1e9}` goes straight into the item (mass assignment, OWASP API3). DynamoDB has no schema to stop it.',
      example: '@app.put("/users/{user_id}")\ndef update_user(user_id: str, body: UserUpdate, user=Depends(get_current_user)):\n    table.put_item(Item={**body.model_dump(), "user_id": user_id})',
      useInstead: 'ALLOWED_USER_FIELDS = {"display_name", "bio"}\n...\n    table.put_item(Item={**{k: v for k, v in body.model_dump().items() if k in ALLOWED_USER_FIELDS}, "user_id": user_id})',
      fixSafety: 'Inserts `ALLOWED_<X>_FIELDS = {...}` at module level and filters the payload through it where the payload enters the item (`item = {k: v for k, v in body.dict().items() if k in ALLOWED_...}`), so every field the handler sets itself afterwards (`item["customer_id"] = user.sub`) is still stored; when that place cannot be found and the handler adds fields of its own, the fix is offered but not applied automatically. A model field that is a key attribute of the table and would be dropped also makes the fix manual. The fields come from the Pydantic model of the body when it is known (safe, applied by fix-all), minus privileged (`owner-attributes`) and sensitive names; otherwise from `public-fields`, or an empty set with a TODO (offered, not applied automatically). Update expressions built in a loop over the payload get no automatic fix: filter the loop by hand.',
      references: ['https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/', 'https://cwe.mitre.org/data/definitions/915.html'],
    },
  },
  messages: {
    massAssignment: '`{{method}}` writes `{{arg}}` built from the whole {{source}} without an allow-list: the client chooses which attributes are stored (mass assignment).',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.functions) {
      for (const call of fnFacts.calls) {
        const hit = massAssigned(call);
        if (!hit) continue;
        context.report({
          messageId: 'massAssignment',
          data: { method: call.method, arg: hit.arg, source: hit.source.label },
          node: call.methodNode,
          related: [{ range: rangeOf(hit.source.node), message: `The payload enters here: ${hit.source.label}` }],
          fixes: () => { const f = payloadFilterFix(facts, fnFacts, call, hit); return f ? [f] : []; },
        });
      }
    }
  },
};

export default rule;

