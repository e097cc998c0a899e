import type { FileFacts, KeyPart, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import type { Value } from '../model/values';
import { rangeOf } from '../parse/syntax';
import type { RuleModule } from './rule';
import { conditioned, fromRead, versionFix } from './support/versionCheck';

function sources(v: Value): string[] {
  return [...(v.request ?? []), ...(v.subject ?? [])].map((s) => s.id).sort();
}

function sameValue(text: string, a: KeyPart, b: KeyPart): boolean {
  if (textOf(text, a.node) === textOf(text, b.node)) return true;
  const sa = sources(a.value);
  return sa.length > 0 && sa.join() === sources(b.value).join();
}

/** Same table and same key: equal key attributes bound to the same sources/text, or the read item itself written back. */
function sameItem(facts: FileFacts, read: TableCall, write: TableCall): boolean {
  if (write.api === 'pynamo') return read.api === 'pynamo' && fromRead(write.receiverValue, read);
  if (read.tableName !== write.tableName || (!read.tableName && textOf(facts.text, read.receiver) !== textOf(facts.text, write.receiver))) return false;
  const item = write.kwargs.get('Item')?.value;
  if (item?.dbWhole?.has(read.id)) return true;
  const keyed = read.keys.filter((k) => k.attr);
  if (!keyed.length) return false;
  return keyed.every((k) => write.keys.some((w) => w.attr === k.attr && sameValue(facts.text, k, w)));
}

/** The write stores something computed from what was read. */
function writesRead(write: TableCall, read: TableCall): boolean {
  if (write.api === 'pynamo') return write.method === 'save' || fromRead(write.kwargs.get('actions')?.value, read);
  return ['Item', 'ExpressionAttributeValues', 'AttributeUpdates'].some((k) => fromRead(write.kwargs.get(k)?.value, read));
}

const rule: RuleModule = {
  meta: {
    code: 'DG304',
    name: 'read-modify-write',
    defaultSeverity: 'warning',
    summary: 'An item is read, changed in Python and written back without checking that nobody changed it in between (lost update).',
    cwe: ['CWE-362', 'CWE-367'],
    owasp: ['API6:2023 Unrestricted Access to Sensitive Business Flows'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags a `put_item`/`update_item` (PynamoDB `item.save()`/`item.update()`) that writes back, in the same function, a value computed from a `get_item` (PynamoDB `Model.get`) of the same item (same table, same key attributes bound to the same values, or the read item itself as `Item=`); the read may be made through a helper or method of the same workspace (`item = self.load(key)` then `self.table.put_item(Item=item)`), whose summary says it returns the item it read, without a condition that the item is unchanged. Accepted conditions: a comparison of an attribute with a value taken from the read item (`balance = :old_balance`), a comparison of a version-like attribute (`version`, `revision`, `lock_version`) with any value (also a version sent by the client, as with ETag/If-Match), `attribute_not_exists(...)` (refuses any existing item), a PynamoDB `condition=` or a model with a `VersionAttribute`. `attribute_exists(pk)` or a check unrelated to what was read does not prevent the lost update. A condition the analyzer cannot read (assembled at run time, legacy `Expected`) is assumed adequate. Atomic updates that do not depend on the read (`SET n = n + :one`) are not flagged. The finding is on the write\'s method name, the read is related information.',
      whyIsThisBad: 'Two requests read the same item, each computes a new value and writes it back: the second write silently discards the first (two withdrawals from a balance of 100 both write 90; two edits of a document keep only one). Attackers use the race deliberately to spend a balance, a coupon or a quota twice. DynamoDB offers no transactions across a get and a put: only a condition on the write detects the change.',
      example: 'item = table.get_item(Key={"account_id": me})["Item"]\nitem["balance"] -= amount\ntable.put_item(Item=item)',
      useInstead: 'item = table.get_item(Key={"account_id": me})["Item"]\nexpected_version = item["version"]\nitem["balance"] -= amount\nitem["version"] = expected_version + 1\ntable.put_item(\n    Item=item,\n    ConditionExpression="version = :expected_version",\n    ExpressionAttributeValues={":expected_version": expected_version},\n)',
      fixSafety: 'When the function reads a version attribute (`version`, `revision`, `lock_version`), the fix adds `ConditionExpression="version = :expected_version"` with the value read from the item (captured before the function changes it), and keeps the scheme working by bumping the version in the same write when the code does not already (`ADD version :one` in the update expression, or `version` + 1 in the put `Item`); combined with an existing condition by `AND`. Safe: writes that would overwrite a concurrent change now fail with `ConditionalCheckFailedException` (map it to 409 and let the client retry). Without a version attribute the fix compares an attribute the function read and rewrites (`balance = :old_balance`): it detects a concurrent change of that attribute only, so it is offered but not applied automatically; adding a version attribute is the robust choice. No fix for PynamoDB (add a `VersionAttribute` to the model), for a low-level client `put_item` that would need a typed version bump, or when the read item is not held in one variable.',
      references: ['https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBMapper.OptimisticLocking.html', 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html', 'https://pynamodb.readthedocs.io/en/stable/optimistic_locking.html'],
    },
  },
  messages: {
    lostUpdate: '`{{method}}` writes back a value computed from the `{{read}}` on line {{line}} without a condition that the item is unchanged: a concurrent request\'s write in between is silently lost.',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.functions) {
      const reads = fnFacts.calls.filter((c) => c.method === 'get_item' || (c.api === 'pynamo' && c.method === 'get'));
      if (!reads.length) continue;
      for (const write of fnFacts.calls) {
        // Made inside a layer: reported there, at the DynamoDB call.
        if (write.via) continue;
        const isWrite = write.api === 'pynamo' ? write.method === 'save' || write.method === 'update' : write.method === 'put_item' || write.method === 'update_item';
        if (!isWrite || write.api === 'batch') continue;
        const read = reads.find((r) => r.id < write.id && sameItem(facts, r, write) && writesRead(write, r));
        if (!read || conditioned(facts, write, read)) continue;
        context.report({
          messageId: 'lostUpdate',
          data: { method: write.method, read: read.method, line: String(read.methodNode.startRow + 1) },
          node: write.methodNode,
          related: [{ range: rangeOf(read.methodNode), message: 'The item is read here' }],
          fixes: () => { const f = versionFix(facts, fnFacts, read, write); return f ? [f] : []; },
        });
      }
    }
  },
};

export default rule;
