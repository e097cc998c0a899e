import type { TableCall } from '../model/facts';
import { subjectTerms } from '../model/tableCalls';
import { rangeOf, type SyntaxNode } from '../parse/syntax';
import type { RuleModule } from './rule';

/** A key condition that only reaches the caller's items: a subject-derived key, or one verified equal to the subject. */
function keyBoundToSubject(call: TableCall): boolean {
  return call.keys.some((k) => k.value.subject?.length || (k.value.request?.length && k.value.request.every((s) => call.verified.has(s.id))));
}

/** The read crosses owners: a scan, or a query whose key condition we understood and is not the caller's. */
function crossesOwners(call: TableCall): boolean {
  if (call.api === 'pynamo') return false;
  if (call.method === 'scan') return true;
  return call.method === 'query' && call.keys.length > 0 && !keyBoundToSubject(call);
}

const rule: RuleModule = {
  meta: {
    code: 'DG103',
    name: 'filter-as-authorization',
    defaultSeverity: 'warning',
    summary: 'Ownership is enforced only by a FilterExpression (or by filtering Items in Python) on a query or scan whose key is not the caller\'s: the read still crosses owners.',
    cwe: ['CWE-639', 'CWE-285'],
    owasp: ['API1:2023 Broken Object Level Authorization'],
    fixable: false,
    docs: {
      whatItDoes: 'Flags a `scan`, or a `query` whose key condition is not bound to the authenticated caller (a constant partition such as `"pk = ORDER"`, a status index, a request value never checked against the caller), in an HTTP handler, when the only thing keeping other users\' items out of the response is:\n\n- a `FilterExpression` comparing an attribute with a subject-derived value: `"owner_id = :uid"` with `:uid` bound to the caller in `ExpressionAttributeValues`, `contains(members, :uid)`, `Attr("owner_id").eq(user.id)`; or\n- Python filtering of the returned `Items` by the caller: `[i for i in resp["Items"] if i["owner_id"] == user.id]`, or a loop with `if item["owner_id"] != user.id: continue` (or that keeps matching items).\n\nA query whose partition (or any key attribute) is the subject, or a request value verified equal to the subject, is not reported. A check that denies (`raise 403` on a foreign item) is a guard, not a filter. PynamoDB `filter_condition=` and `filter(lambda ...)` are not modelled.',
      whyIsThisBad: 'DynamoDB applies a `FilterExpression` after reading: every owner\'s items are read (and billed), `Limit` counts them before the filter, and `Count`/`ScannedCount`/`LastEvaluatedKey` reveal that they exist. The authorization lives in one expression that the next edit can widen (an `OR`, a removed clause), and filtering in Python is the same with the whole page already in memory. Ownership should be the key of the read, so that other users\' items are never touched.',
      example: '@app.get("/notes")\ndef list_notes(user=Depends(get_current_user)):\n    resp = notes.scan(\n        FilterExpression=Attr("owner_id").eq(user.id),\n        ProjectionExpression="note_id, title",\n    )\n    return resp["Items"]',
      useInstead: '# Key the table (or a GSI) by the owner and query the caller\'s partition:\nresp = notes.query(\n    IndexName="owner-index",\n    KeyConditionExpression=Key("owner_id").eq(user.id),\n    ProjectionExpression="note_id, title",\n)',
      fixSafety: 'No automatic fix: the right key depends on the table design (make the owner the partition key, or add a GSI on the owner attribute and query it). A scan in a handler is also reported by DG202.',
      references: [
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.FilterExpression.html',
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-indexes-general.html',
        'https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/',
      ],
    },
  },
  messages: {
    filter: '`{{method}}` relies on its FilterExpression (`{{attr}}` = the caller) to hide other users\' items, but {{what}} not bound to the caller: DynamoDB still reads every owner\'s items, and Limit, Count and LastEvaluatedKey leak them. Key the read by the caller (or a GSI on `{{attr}}`).',
    python: '`{{method}}` reads every owner\'s items and keeps the caller\'s in Python afterwards: the read crosses owners and one bug in the filter leaks them. Key the read by the caller (or a GSI on the owner attribute).',
  },
  check(context) {
    for (const fnFacts of context.facts.handlers) {
      for (const call of fnFacts.calls) {
        if (!crossesOwners(call)) continue;
        const what = call.method === 'scan' ? 'a scan is' : 'its key condition is';
        const terms = subjectTerms(call, 'FilterExpression');
        let node: SyntaxNode | undefined;
        if (terms.length) {
          node = terms[0]!.node;
          context.report({
            messageId: 'filter',
            data: { method: call.method, attr: terms[0]!.attr, what },
            node: call.methodNode,
            related: [{ range: rangeOf(node), message: 'The only ownership check: a filter applied after the read' }],
          });
        } else if (call.subjectFilter) {
          context.report({
            messageId: 'python',
            data: { method: call.method },
            node: call.methodNode,
            related: [{ range: rangeOf(call.subjectFilter), message: 'Items are filtered by the caller here, after the read' }],
          });
        }
      }
    }
  },
};

export default rule;
