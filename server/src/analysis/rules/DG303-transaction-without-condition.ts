import { EditBuilder, mergeInsertions, pyString } from '../fixes/edits';
import type { FileFacts } from '../model/facts';
import { textOf } from '../model/module';
import { field, rangeOf } from '../parse/syntax';
import type { Fix, TextEdit } from '../types';
import { needsPlaceholder } from './DG201-missing-projection';
import { entries, freshPut, keyAttrs, pairsOf, tableName, type Entry } from './support/transactItems';
import type { RuleModule } from './rule';

function conditionFix(facts: FileFacts, entry: Entry): Fix | undefined {
  const pk = facts.keySchema(tableName(facts, entry))?.[0] ?? keyAttrs(facts, entry)[0]?.attr;
  if (!pk) return undefined;
  const b = new EditBuilder(facts);
  const edits: Array<TextEdit | undefined> = [];
  let path = pk;
  if (needsPlaceholder(pk)) {
    path = '#' + pk.replace(/[^A-Za-z0-9_]/g, '_');
    const ean = entry.pairs.get('ExpressionAttributeNames');
    const dict = ean ? field(ean, 'value') : undefined;
    const entryText = `${pyString(path, facts)}: ${pyString(pk, facts)}`;
    if (!ean) edits.push(b.addDictEntry(entry.body, pyString('ExpressionAttributeNames', facts), `{${entryText}}`));
    else if (dict?.type === 'dictionary') {
      const names = pairsOf(facts, dict);
      if (!names) return undefined;
      if (!names.has(path)) edits.push(b.addDictEntry(dict, pyString(path, facts), pyString(pk, facts)));
    } else if (dict) edits.push({ range: rangeOf(dict), newText: `{**${textOf(facts.text, dict)}, ${entryText}}` });
  }
  const expr = `${entry.op === 'Put' ? 'attribute_not_exists' : 'attribute_exists'}(${path})`;
  edits.unshift(b.addDictEntry(entry.body, pyString('ConditionExpression', facts), pyString(expr, facts)));
  if (edits.some((e) => !e)) return undefined;
  return { title: `Add "ConditionExpression": "${expr}" to the ${entry.op}`, edits: mergeInsertions(edits), isPreferred: true, safe: true };
}

const rule: RuleModule = {
  meta: {
    code: 'DG303',
    name: 'transaction-without-condition',
    defaultSeverity: 'warning',
    summary: 'A transact_write_items Update, Delete or Put entry has no ConditionExpression: the transaction writes whatever item the key names.',
    cwe: ['CWE-362', 'CWE-639'],
    owasp: ['API1:2023 Broken Object Level Authorization'],
    fixable: true,
    docs: {
      whatItDoes: 'Looks at `transact_write_items(TransactItems=[...])` calls anywhere in the code whose list is written as dict literals, and flags each `Update`, `Delete` or `Put` entry without its own `ConditionExpression`. Unlike the other table-call rules, the finding is anchored on the entry\'s `"Update"`/`"Delete"`/`"Put"` key rather than on `transact_write_items`: a transaction often mixes conditioned and unconditioned entries, and one finding per entry says which one needs the condition (and can be suppressed on its own line). A `Put` whose key is freshly generated (`str(uuid4())`, `secrets.token_*`, ULID/KSUID, in place or in a variable assigned from such a call in the function) cannot overwrite anything and is not reported. A `ConditionCheck` entry guards only its own item, so it does not excuse the others. Entries built elsewhere (variables, comprehensions, `**spread`) are not understood and not reported.',
      whyIsThisBad: 'Transactions exist to keep invariants across items (move a balance, reserve stock, create an item together with its index row). Without a condition each entry applies blindly: an `Update` on a missing key creates a half-formed item, a `Put` overwrites an existing one, a `Delete` "succeeds" on nothing, and concurrent requests interleave exactly as if there were no transaction.',
      example: 'client.transact_write_items(TransactItems=[\n    {"Update": {"TableName": "accounts", "Key": {"account_id": {"S": src}},\n                "UpdateExpression": "SET balance = balance - :a",\n                "ExpressionAttributeValues": {":a": {"N": amount}}}},\n    {"Put": {"TableName": "transfers", "Item": {"transfer_id": {"S": transfer_id}, "amount": {"N": amount}}}},\n])',
      useInstead: '{"Update": {..., "ConditionExpression": "attribute_exists(account_id) AND balance >= :a"}},\n{"Put": {..., "ConditionExpression": "attribute_not_exists(transfer_id)"}},',
      fixSafety: 'Adds `"ConditionExpression": "attribute_exists(<pk>)"` to an Update/Delete entry and `"attribute_not_exists(<pk>)"` to a Put entry, with `<pk>` from a `create_table` key schema for the entry\'s constant `TableName` when one is known, else the first attribute of its `Key`/`Item`; reserved words go through `#name` in the entry\'s `ExpressionAttributeNames`. Safe, applied by fix-all: it only makes DynamoDB refuse writes the code did not mean to make, but the whole transaction can now fail with `TransactionCanceledException` (reason `ConditionalCheckFailed`), which the handler should turn into a 404/409. Business conditions (a balance that must cover the amount) still have to be written by hand.',
      references: ['https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html', 'https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html'],
    },
  },
  messages: {
    entry: 'This transaction {{op}} has no ConditionExpression: it {{effect}} whatever item its key names, existing or not.',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.functions) {
      for (const call of fnFacts.calls) {
        // Made inside a layer: reported there, at the DynamoDB call.
        if (call.via) continue;
        if (call.method !== 'transact_write_items') continue;
        const list = call.kwargs.get('TransactItems')?.node;
        if (list?.type !== 'list') continue;
        for (const entry of entries(facts, list)) {
          if (entry.pairs.has('ConditionExpression') || freshPut(facts, entry, fnFacts.fn.body)) continue;
          context.report({
            messageId: 'entry',
            data: { op: entry.op, effect: entry.op === 'Delete' ? 'deletes' : entry.op === 'Put' ? 'creates or overwrites' : 'creates or changes' },
            node: entry.keyNode,
            related: [{ range: rangeOf(call.methodNode), message: 'In this transaction' }],
            fixes: () => { const f = conditionFix(facts, entry); return f ? [f] : []; },
          });
        }
      }
    }
  },
};

export default rule;
