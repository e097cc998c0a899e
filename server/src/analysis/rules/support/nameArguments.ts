import type { Value } from '../../model/values';
import { field, type SyntaxNode } from '../../parse/syntax';
import type { ChoiceKind } from './clientChosen';

// DG405's candidates: the arguments of a table call that name the attributes, index or table used.

export interface Hit { kind: ChoiceKind; arg: string; node: SyntaxNode; value: Value }

const LEGACY_CONDITIONS = ['ScanFilter', 'QueryFilter', 'KeyConditions', 'Expected'];

/** Arguments of a table call that name what is read or written. */
export function candidates(kwargs: Map<string, { node: SyntaxNode; value: Value }>): Hit[] {
  const out: Hit[] = [];
  for (const kind of ['IndexName', 'TableName', 'ProjectionExpression', 'AttributesToGet', 'attributes_to_get'] as const) {
    const kw = kwargs.get(kind);
    if (kw) out.push({ kind: kind === 'attributes_to_get' ? 'AttributesToGet' : kind, arg: kind, node: kw.node, value: kw.value.elem && !kw.value.request ? kw.value.elem : kw.value });
  }
  const ean = kwargs.get('ExpressionAttributeNames');
  if (ean?.value.dict?.length) {
    for (const e of ean.value.dict) out.push({ kind: 'ExpressionAttributeNames', arg: `ExpressionAttributeNames[${JSON.stringify(e.key)}]`, node: e.valueNode, value: e.value });
  } else if (ean) out.push({ kind: 'ExpressionAttributeNames', arg: 'ExpressionAttributeNames', node: ean.node, value: ean.value });
  // Legacy conditions keyed by attribute name: `ScanFilter={body["field"]: {...}}`.
  for (const kind of LEGACY_CONDITIONS) {
    const kw = kwargs.get(kind);
    if (!kw?.value.computedKeys) continue;
    const keys = kw.node.type === 'dictionary' ? kw.node.children.filter((c) => c.type === 'pair').map((p) => field(p, 'key')!).filter((k) => k.type !== 'string') : [];
    out.push({ kind: 'ExpressionAttributeNames', arg: kind, node: keys.length === 1 ? keys[0]! : kw.node, value: kw.value.computedKeys });
  }
  // `Attr(body["field"]).eq(v)`: boto3 escapes the name, but the caller still picks it.
  for (const kind of ['FilterExpression', 'KeyConditionExpression', 'ConditionExpression']) {
    for (const term of kwargs.get(kind)?.value.cond ?? []) {
      if (!term.nameValue) continue;
      const builder = field(field(term.node, 'function') ?? term.node, 'object');
      const name = builder?.type === 'call' ? field(builder, 'arguments')?.children.find((c) => c.named) : undefined;
      out.push({ kind: 'ExpressionAttributeNames', arg: `${kind} ${term.builder}(...)`, node: name ?? term.node, value: term.nameValue });
    }
  }
  return out;
}
