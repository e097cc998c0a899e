import type { TableCall } from '../model/facts';
import { dictGet, MAX_NESTING, type DbLevel, type Value } from '../model/values';
import { rangeOf } from '../parse/syntax';
import type { RuleModule } from './rule';
import { isEventConsumer } from './support/harmfulWrite';
import { projectionFix } from './support/projectionFix';

// Other rules name attributes in expressions the same way.
export { needsPlaceholder } from './support/projectionFix';

const PROJECTED = ['ProjectionExpression', 'AttributesToGet', 'attributes_to_get', 'Select'];

function isProjected(call: TableCall): boolean {
  // `Select="ALL_ATTRIBUTES"` asks for every attribute explicitly.
  const select = call.kwargs.get('Select')?.value.str;
  if (PROJECTED.some((k) => call.kwargs.has(k) && !(k === 'Select' && select?.startsWith('ALL_')))) return true;
  // batch_get_item puts the projection per table inside RequestItems.
  const ri = call.kwargs.get('RequestItems')?.value;
  return !!ri?.dict?.some((t) => dictGet(t.value, 'ProjectionExpression') || dictGet(t.value, 'AttributesToGet'));
}

/**
 * Items the caller stored, read back by the caller: a query of the caller's partition
 * (`Key("pk").eq(f"user#{claims['sub']}")`) or an item keyed by the caller and an item id. The
 * caller's own account record (a table keyed by the user id alone: profiles, users) is still
 * reported: password hashes, MFA secrets and internal flags live there.
 */
function callersOwnItems(call: TableCall): boolean {
  const partition = call.keys.filter((k) => k.partition);
  if (!partition.length || !partition.every((k) => k.value.subject?.length && !k.value.request?.length)) return false;
  return call.method === 'query' || call.keys.some((k) => !k.partition);
}

/**
 * Reads whose whole result a returned value carries: its own, and those inside the lists and
 * tuples it is built from (`return jsonify(items), 200`, `items.append(resp["Items"])`,
 * `[mine["Items"], theirs["Items"]]`): a list of item lists still sends every attribute.
 */
function wholeReads(v: Value, out = new Map<number, DbLevel>(), depth = 0): Map<number, DbLevel> {
  for (const [id, lvl] of v.dbWhole ?? []) if (!out.has(id)) out.set(id, lvl);
  if (depth < MAX_NESTING) for (const e of [...(v.elem ? [v.elem] : []), ...(v.elems ?? [])]) wholeReads(e, out, depth + 1);
  return out;
}

const rule: RuleModule = {
  meta: {
    code: 'DG201',
    name: 'missing-projection',
    defaultSeverity: 'warning',
    summary: 'A read without a projection returns whole items to the HTTP response.',
    cwe: ['CWE-213', 'CWE-200'],
    owasp: ['API3:2023 Broken Object Property Level Authorization'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags `get_item`, `query`, `scan`, `batch_get_item` (and PynamoDB `get/query/scan`) called without `ProjectionExpression`/`AttributesToGet`/`attributes_to_get` when the result reaches the handler\'s response whole: `return resp["Item"]`, `jsonify(items)`, `{"body": json.dumps(item)}`, a list of the items, a list of item lists (`found.append(resp["Items"])` then `jsonify(found)`), a Flask `(body, status)` tuple. A response narrowed on the way out does not count: FastAPI `response_model=` or an explicit model return annotation, a Pydantic model built from the item (`UserOut(**item)`), a dict of chosen fields (`{"name": item["name"]}`), a PynamoDB model formatted into a message (`"Unable to delete {}".format(asset)`, `f"pinned {note}"`: a model prints as its class and key, not its attributes; its `attribute_values` formatted into text still count).\n\nNot reported: the caller\'s own items read back by the caller — a query of the caller\'s partition (`Key("pk").eq(f"user#{sub}")`) or an item keyed by the caller and an item id: every attribute there was stored by or for the caller (named sensitive attributes on them are still DG205\'s). The caller\'s own account record (a `get_item` keyed by the user id alone: profiles, users) is still reported: password hashes, MFA secrets and internal flags live there. Lambda functions consuming events (`event["Records"]`, `event["detail"]`): what they return goes back to the platform, not to a client.',
      whyIsThisBad: 'DynamoDB returns every attribute of an item unless told otherwise. Password hashes, tokens, internal flags and other users\' PII stored on the item leave the API the day someone adds them to the table (OWASP API3: excessive data exposure).',
      example: '@app.get("/users/{user_id}")\ndef get_user(user_id: str, user=Depends(get_current_user)):\n    ...\n    return table.get_item(Key={"user_id": user_id})["Item"]',
      useInstead: 'resp = table.get_item(\n    Key={"user_id": user_id},\n    ProjectionExpression="user_id, display_name, #status",\n    ExpressionAttributeNames={"#status": "status"},\n)',
      fixSafety: 'The fix adds `ProjectionExpression` (PynamoDB: `attributes_to_get`) listing the configured `public-fields` when there are any (safe, applied by fix-all), otherwise the key attributes, the attributes the handler reads from the result and the attributes the file stores in items of the same table (offered, not applied automatically: it may drop attributes a client relies on). When nothing but the key would be listed no fix is offered: a projection of the key alone turns the endpoint into one that returns ids. Sensitive-looking names are never listed. Reserved words (`name`, `status`, `data`...) and names with odd characters go through `#placeholders` merged into `ExpressionAttributeNames`.',
      references: ['https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html', 'https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/'],
    },
  },
  messages: {
    noProjection: '`{{method}}` has no projection and its whole {{what}} reach{{s}} the response: every attribute (password hashes, tokens, internal flags) is returned to the client.',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.handlers) {
      // An S3/SQS/stream consumer's return value goes back to the platform, not to a client.
      if (fnFacts.handler!.responseNarrowed || isEventConsumer(facts, fnFacts)) continue;
      const reported = new Set<number>();
      for (const r of fnFacts.returns) {
        for (const id of wholeReads(r.value).keys()) {
          const call = fnFacts.calls.find((c) => c.id === id);
          if (!call || reported.has(id) || !call.isRead || isProjected(call) || callersOwnItems(call)) continue;
          reported.add(id);
          const many = call.method !== 'get_item' && call.method !== 'get';
          context.report({
            messageId: 'noProjection',
            data: { method: call.method, what: many ? 'items' : 'item', s: many ? '' : 'es' },
            node: call.methodNode,
            related: [{ range: rangeOf(r.node), message: 'The unprojected result is returned here' }],
            fixes: () => { const f = projectionFix(facts, call); return f ? [f] : []; },
          });
        }
      }
    }
  },
};

export default rule;
