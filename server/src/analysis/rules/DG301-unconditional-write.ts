import { infraKeySchema } from '../infra/keys';
import { EditBuilder, mergeInsertions, pyString } from '../fixes/edits';
import type { FileFacts, FunctionFacts, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import { dictGet } from '../model/values';
import { rangeOf } from '../parse/syntax';
import type { Fix, TextEdit } from '../types';
import { needsPlaceholder } from './DG201-missing-projection';
import type { RuleModule } from './rule';

const CREATING_NAME = /^(create|add|register|new|insert)_/;

function hasCondition(call: TableCall): boolean {
  return call.kwargs.has('ConditionExpression') || call.kwargs.has('Expected') || call.kwargs.has('condition');
}

function isCreating(fnFacts: FunctionFacts): boolean {
  return CREATING_NAME.test(fnFacts.fn.name) || !!fnFacts.handler?.methods.includes('POST');
}

/** A freshly generated key attribute (partition or sort: `{"user_id": me, "note_id": uuid4()}`) makes the item new. */
function freshKey(facts: FileFacts, call: TableCall): boolean {
  if (call.keys.some((k) => k.value.fresh)) return true;
  const schema = facts.keySchema(call.tableName) ?? infraKeySchema(facts, call);
  const item = call.kwargs.get('Item')?.value;
  return !!item?.dict?.some((e) => e.value.fresh && (schema ? schema.includes(e.key) : /(^|_)(id|pk|sk|key)$|Id$/i.test(e.key)));
}

function partitionKey(facts: FileFacts, call: TableCall): string | undefined {
  const schema = facts.keySchema(call.tableName) ?? infraKeySchema(facts, call);
  if (schema?.[0]) return schema[0];
  const fromKey = call.keys.find((k) => k.partition)?.attr ?? call.keys[0]?.attr;
  if (fromKey) return fromKey;
  const item = call.kwargs.get('Item')?.value.dict?.[0]?.key;
  return item;
}

function conditionFix(facts: FileFacts, call: TableCall): Fix | undefined {
  const isPut = call.method === 'put_item' || call.method === 'save';
  const b = new EditBuilder(facts);
  if (call.api === 'pynamo') {
    const cls = facts.module.classes.get(call.pynamoModel ?? '');
    if (!cls?.hashKey) return undefined;
    const cond = `${cls.name}.${cls.hashKey}.${isPut ? 'does_not_exist' : 'exists'}()`;
    const e = b.addKeywordArgument(call.node, 'condition', cond);
    return e ? { title: `Add condition=${cond}`, edits: [e], isPreferred: true, safe: true } : undefined;
  }
  const pk = partitionKey(facts, call);
  if (!pk) return undefined;
  const fn = isPut ? 'attribute_not_exists' : 'attribute_exists';
  const edits: Array<TextEdit | undefined> = [];
  let path = pk;
  if (needsPlaceholder(pk)) {
    path = '#' + pk.replace(/[^A-Za-z0-9_]/g, '_');
    const ean = call.kwargs.get('ExpressionAttributeNames');
    if (!ean) edits.push(b.addKeywordArgument(call.node, 'ExpressionAttributeNames', `{${pyString(path, facts)}: ${pyString(pk, facts)}}`));
    else if (ean.node.type === 'dictionary') {
      if (!dictGet(ean.value, path)) edits.push(b.addDictEntry(ean.node, pyString(path, facts), pyString(pk, facts)));
    } else edits.push({ range: rangeOf(ean.node), newText: `{**${textOf(facts.text, ean.node)}, ${pyString(path, facts)}: ${pyString(pk, facts)}}` });
  }
  const expr = `${fn}(${path})`;
  edits.unshift(b.addKeywordArgument(call.node, 'ConditionExpression', pyString(expr, facts)));
  if (edits.some((e) => !e)) return undefined;
  return {
    title: `Add ConditionExpression="${expr}"`,
    edits: mergeInsertions(edits),
    isPreferred: true,
    safe: true,
  };
}

const rule: RuleModule = {
  meta: {
    code: 'DG301',
    name: 'unconditional-write',
    defaultSeverity: 'warning',
    summary: 'A write without a ConditionExpression silently creates, overwrites or deletes whatever item the key names.',
    cwe: ['CWE-362', 'CWE-639'],
    owasp: ['API1:2023 Broken Object Level Authorization'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags `update_item` and `delete_item` without `ConditionExpression` (or the legacy `Expected`), and PynamoDB `item.update()`/`item.delete()` without `condition=`, anywhere in the code; and `put_item` (PynamoDB `save()`) without a condition where the code creates: a POST route, or a function named `create_*`, `add_*`, `register_*`, `new_*`, `insert_*`, unless its partition key is freshly generated in the function (`uuid4()`, `ulid`, `secrets.token_*`). Batch writers are not flagged: `batch_write_item` cannot take conditions.',
      whyIsThisBad: '`update_item` on a missing key creates a new item (an attacker can plant items); `put_item` replaces an existing item wholesale (a "create" that overwrites someone else\'s data); `delete_item` reports success for anything. A condition makes DynamoDB refuse the write atomically instead.',
      example: '@app.post("/notes")\ndef create_note(note: NoteIn, user=Depends(get_current_user)):\n    table.put_item(Item={"note_id": note.note_id, "owner_id": user["user_id"], "title": note.title})',
      useInstead: 'table.put_item(\n    Item={...},\n    ConditionExpression="attribute_not_exists(note_id)",\n)',
      fixSafety: 'Adds `ConditionExpression="attribute_exists(<pk>)"` to updates and deletes and `"attribute_not_exists(<pk>)"` to puts (PynamoDB: `condition=Model.<hash_key>.exists()` / `.does_not_exist()`), with `<pk>` from a `create_table` key schema seen in the workspace, else the first attribute of `Key=`/`Item=`; reserved-word keys go through `ExpressionAttributeNames`. Safe: it only makes DynamoDB refuse writes the code did not mean to make, but the call can now raise `ConditionalCheckFailedException`, which the handler should turn into a 404/409. Where a `version` attribute is in play an optimistic version check is better; write it by hand.',
      references: ['https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html', 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.ConditionalUpdate'],
    },
  },
  messages: {
    update: '`{{method}}` has no ConditionExpression: it {{effect}} whatever item the key names, existing or not.',
    put: '`{{method}}` in a create path has no ConditionExpression: it silently overwrites an existing item with the same key.',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.functions) {
      for (const call of fnFacts.calls) {
        if (hasCondition(call) || call.api === 'batch') continue;
        const m = call.method;
        const isUpdateOrDelete = m === 'update_item' || m === 'delete_item' || (call.api === 'pynamo' && (m === 'update' || m === 'delete'));
        const isPut = m === 'put_item' || (call.api === 'pynamo' && m === 'save');
        if (!isUpdateOrDelete && !(isPut && isCreating(fnFacts) && !freshKey(facts, call))) continue;
        context.report({
          messageId: isUpdateOrDelete ? 'update' : 'put',
          data: { method: m, effect: m.startsWith('delete') ? 'deletes' : 'creates or changes' },
          node: call.methodNode,
          fixes: () => { const f = conditionFix(facts, call); return f ? [f] : []; },
        });
      }
    }
  },
};

export default rule;
