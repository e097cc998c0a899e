// What a table call says about keys, read against the table's schema (DG406, DG407).

import type { FileFacts, TableCall } from '../model/facts';
import type { SyntaxNode } from '../parse/syntax';
import { indexOfCall } from './binding';
import { infraLookup } from './lookup';
import type { InfraTable, KeySchema } from './model';

export interface KeyedCall {
  call: TableCall;
  table: InfraTable;
}

/** Every table call of the file whose table the infrastructure code describes with a key schema. */
export function keyedCalls(facts: FileFacts): KeyedCall[] {
  const lookup = infraLookup(facts);
  if (!lookup) return [];
  const out: KeyedCall[] = [];
  for (const f of facts.functions) {
    for (const call of f.calls) {
      // Layered calls (`via`) are judged in the layer, at the DynamoDB call.
      if (call.api === 'pynamo' || call.api === 'batch' || call.via) continue;
      const table = lookup.tableOf(call);
      if (table?.keys) out.push({ call, table });
    }
  }
  return out;
}

export function schemaText(k: KeySchema): string {
  return k.sort ? `\`${k.partition}\` (partition) and \`${k.sort}\` (sort)` : `\`${k.partition}\` (partition)`;
}

/** Names of a literal `Key=`/`Item=` dict with their key nodes; undefined when the dict is not fully known. */
export function literalDictKeys(call: TableCall, kw: 'Key' | 'Item'): Array<{ name: string; node: SyntaxNode }> | undefined {
  const arg = call.kwargs.get(kw);
  const dict = arg?.value.dict;
  if (!arg || !dict || dict.length === 0) return undefined;
  // `{**base, "id": x}` or entries added later hide names: only literal dicts are complete.
  const literal = dict[0]!.keyNode.parent?.parent;
  if (literal?.type !== 'dictionary' || literal.children.some((c) => c.type === 'dictionary_splat')) return undefined;
  if (literal.children.filter((c) => c.type === 'pair').length !== dict.length) return undefined;
  return dict.map((e) => ({ name: e.key, node: e.keyNode }));
}

/** Attributes a query's key condition names (resolved through ExpressionAttributeNames). */
export function keyConditionAttrs(call: TableCall): Array<{ name: string; node: SyntaxNode }> {
  if (call.method !== 'query' || !call.kwargs.get('KeyConditionExpression')) return [];
  return call.keys.filter((k) => k.attr && !k.attr.startsWith('#')).map((k) => ({ name: k.attr!, node: k.node }));
}

export function indexOf(call: TableCall): string | undefined {
  return indexOfCall(call);
}

/** The key schema (partition first) the infrastructure code gives this call's table (DG301's condition fixes). */
export function infraKeySchema(facts: FileFacts, call: TableCall): string[] | undefined {
  const keys = infraLookup(facts)?.tableOf(call)?.keys;
  return keys ? [keys.partition, ...(keys.sort ? [keys.sort] : [])] : undefined;
}
