import { infraKeySchema } from '../infra/keys';
import type { FileFacts, FunctionFacts, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import { dictGet } from '../model/values';
import { isReservedWord } from '../expr/reservedWords';
import type { Fix } from '../types';
import { withConditionFailure } from './conditionFailure';
import { EditBuilder, pyString } from './edits';

// DG301's fix: `attribute_exists(<pk>)` on updates/deletes, `attribute_not_exists(<pk>)` on puts,
// and in a handler the refusal mapped to 404/409 so a refused write is not an HTTP 500.

export function partitionKey(facts: FileFacts, call: TableCall): string | undefined {
  const schema = facts.keySchema(call.tableName) ?? infraKeySchema(facts, call);
  if (schema?.[0]) return schema[0];
  const fromKey = call.keys.find((k) => k.partition)?.attr ?? call.keys[0]?.attr;
  if (fromKey) return fromKey;
  return call.kwargs.get('Item')?.value.dict?.[0]?.key;
}

function needsName(attr: string): boolean {
  return isReservedWord(attr) || !/^[A-Za-z][A-Za-z0-9_]*$/.test(attr);
}

export function existenceConditionFix(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall): Fix | undefined {
  const isPut = call.method === 'put_item' || call.method === 'save';
  const b = new EditBuilder(facts);
  if (call.api === 'pynamo') {
    const cls = facts.module.classes.get(call.pynamoModel ?? '');
    if (!cls?.hashKey) return undefined;
    const cond = `${cls.name}.${cls.hashKey}.${isPut ? 'does_not_exist' : 'exists'}()`;
    const e = b.editKeywordArguments(call.node, [['condition', cond]]);
    // PynamoDB raises PutError/UpdateError/DeleteError on a refused condition: mapped by hand.
    return e ? { title: `Add condition=${cond}`, edits: e, isPreferred: true, safe: !fnFacts.handler } : undefined;
  }
  const pk = partitionKey(facts, call);
  if (!pk) return undefined;
  const fn = isPut ? 'attribute_not_exists' : 'attribute_exists';
  const add: Array<[string, string]> = [];
  const replace = new Map<string, string>();
  let path = pk;
  if (needsName(pk)) {
    path = '#' + pk.replace(/[^A-Za-z0-9_]/g, '_');
    const ean = call.kwargs.get('ExpressionAttributeNames');
    const entry = `${pyString(path, facts)}: ${pyString(pk, facts)}`;
    if (!ean) add.push(['ExpressionAttributeNames', `{${entry}}`]);
    else if (ean.node.type === 'dictionary') {
      if (!dictGet(ean.value, path)) replace.set('ExpressionAttributeNames', `{${textOf(facts.text, ean.node).replace(/^\{\s*|,?\s*\}$/g, '')}, ${entry}}`);
    } else replace.set('ExpressionAttributeNames', `{**${textOf(facts.text, ean.node)}, ${entry}}`);
  }
  const expr = `${fn}(${path})`;
  add.unshift(['ConditionExpression', pyString(expr, facts)]);
  const edits = b.editKeywordArguments(call.node, add, replace);
  if (!edits) return undefined;
  const status = isPut ? 409 : 404;
  const mapped = fnFacts.handler ? withConditionFailure(facts, fnFacts, call, edits, status) : undefined;
  return {
    title: `Add ConditionExpression="${expr}"${mapped ? ` (${status} when it fails)` : ''}`,
    edits: mapped ?? edits,
    isPreferred: true,
    // In a handler an unmapped refusal is an HTTP 500: only the mapped fix is applied blindly.
    safe: !fnFacts.handler || !!mapped,
  };
}

