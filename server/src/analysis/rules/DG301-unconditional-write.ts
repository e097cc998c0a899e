import { existenceConditionFix } from '../fixes/existenceCondition';
import { harmfulWrite } from './support/harmfulWrite';
import type { RuleModule } from './rule';

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
      whatItDoes: 'Reports an unconditional write only where an overwrite or a phantom write hurts. The exact contract:\n\n- **Create paths** (a POST route, or a function named `create_*`, `add_*`, `register_*`, `new_*`, `insert_*`): `put_item` / PynamoDB `save()` without a condition whose key the client chooses (request input) or that nothing shows to be new (in a repository method the key is a parameter, so it is reported there, at the call). Silent when a key attribute is freshly generated (`uuid4()`, `ulid`, `secrets.token_*`) or the key is the caller\'s own identity, and in a repository method when every caller found in the workspace (this file and the modules importing it, through services in between) passes a key the client does not choose: an S3/SNS/SQS event\'s object key, a websocket connection id, a generated id (an upsert by design).\n- **Updates and deletes in a handler** (`update_item`, `delete_item`, PynamoDB `update()`/`delete()`) whose key comes from the request. Also a repository\'s update method (a function named `update_*`, `edit_*`, `modify_*`, `patch_*`, `change_*`, `rename_*` taking the key from its caller; repository deletes are idempotent and stay silent): wrong for every caller, reported at the call, unless every known caller passes a server-chosen key (as above) or the update reads the existing item (`SET n = n + :v`, `SET l = list_append(l, :v)` outside `if_not_exists`: DynamoDB refuses it on a missing item, so it cannot plant one). Silent when the key is the caller\'s identity, when the update is a contribution to a shared item (it only counts by a constant or appends an entry carrying the caller\'s identity, as DG101 describes: it needs the item to exist), when the function read, queried, created or updated the same table before (a status update of an item it just read or created; a PynamoDB item deleted after `Model.get`), outside handlers (cleanup jobs, repository code called with server-chosen keys) and in Lambda event consumers (`event["Records"]`, `event["detail"]`).\n- **Read-modify-write**: a `put_item` in a handler that replaces an item it read with `get_item` before, keyed by the request (a concurrent change is lost).\n\nNever reported: batch writes (`batch_write_item`, `batch_writer()` in any form, including `self._table.batch_writer()`), which cannot take conditions; upserts keyed by the caller; server-keyed writes.',
      whyIsThisBad: '`update_item` on a missing key creates a new item (an attacker can plant items); `put_item` replaces an existing item wholesale (a "create" that overwrites someone else\'s data); `delete_item` reports success for anything. A condition makes DynamoDB refuse the write atomically instead.',
      example: '@app.post("/notes")\ndef create_note(note: NoteIn, user=Depends(get_current_user)):\n    table.put_item(Item={"note_id": note.note_id, "owner_id": user["user_id"], "title": note.title})',
      useInstead: 'table.put_item(\n    Item={...},\n    ConditionExpression="attribute_not_exists(note_id)",\n)',
      fixSafety: 'Adds `ConditionExpression="attribute_exists(<pk>)"` to updates and deletes and `"attribute_not_exists(<pk>)"` to puts (PynamoDB: `condition=Model.<hash_key>.exists()` / `.does_not_exist()`), with `<pk>` from a key schema known in the workspace, else the first attribute of `Key=`/`Item=`; reserved-word keys go through `ExpressionAttributeNames`. In a handler the statement is also wrapped in `try: ... except <table>.meta.client.exceptions.ConditionalCheckFailedException:` answering the framework\'s 404 (update/delete: the item is gone) or 409 (put: it already exists), so a refused write is never an HTTP 500; that mapped fix is safe (applied by fix-all). Where the mapping cannot be written (a receiver that is not a plain name, a PynamoDB model in a handler) the fix is offered but not applied automatically. Outside handlers the condition alone is safe: the caller decides how to answer. The call is re-laid out as Black would when it grows past 88 characters.',
      references: ['https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html', 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.ConditionalUpdate'],
    },
  },
  messages: {
    update: '`{{method}}` with a key chosen by the request has no ConditionExpression: it {{effect}} whatever item the key names, existing or not.',
    layer: '`{{method}}` in `{{fn}}` has no ConditionExpression: for every caller, it {{effect}} whatever item the key names, existing or not.',
    overwrite: '`{{method}}` replaces an item this handler read earlier, with no ConditionExpression: a concurrent change is silently lost.',
    put: '`{{method}}` in a create path has no ConditionExpression: it silently overwrites an existing item with the same key.',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.functions) {
      for (const call of fnFacts.calls) {
        // Made inside a layer: reported there, at the DynamoDB call.
        if (call.via) continue;
        const kind = harmfulWrite(facts, fnFacts, call);
        if (!kind) continue;
        const m = call.method;
        context.report({
          messageId: kind,
          data: { method: m, fn: fnFacts.fn.name, effect: m.startsWith('delete') ? 'deletes' : 'creates or changes' },
          node: call.methodNode,
          fixes: () => { const f = existenceConditionFix(facts, fnFacts, call); return f ? [f] : []; },
        });
      }
    }
  },
};

export default rule;
