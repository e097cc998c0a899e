import type { FileFacts, FunctionFacts, TableCall } from '../../model/facts';
import { textOf } from '../../model/module';
import type { Value } from '../../model/values';

// DG203's draining loops: a read that follows LastEvaluatedKey to the end and returns what it gathered.

/** Items accumulated from read `id` (whole, or a list built from them), also inside a response dict. */
function carriesItems(v: Value, id: number, depth = 0): boolean {
  if (v.dbWhole?.has(id) || v.elem?.dbFrom?.includes(id) || v.elem?.dbWhole?.has(id)) return true;
  return depth < 3 && !!v.dict?.some((e) => carriesItems(e.value, id, depth + 1));
}

/** Anything computed from read `id` (a count, a sum), also inside a response dict. */
function carriesDerived(v: Value, id: number, depth = 0): boolean {
  if (v.dbWhole?.has(id) || v.dbFrom?.includes(id)) return true;
  return depth < 3 && (!!v.dict?.some((e) => carriesDerived(e.value, id, depth + 1)) || (!!v.elem && carriesDerived(v.elem, id, depth + 1)));
}

/** What the handler returns of a drained read: the items themselves, only aggregates, or nothing. */
export function returnsAccumulated(fnFacts: FunctionFacts, id: number, method: string): 'items' | 'aggregates' | undefined {
  if (fnFacts.returns.some((r) => carriesItems(r.value, id))) return 'items';
  // Totals over one partition cost what it holds; over a scan, the whole table.
  return method === 'scan' && fnFacts.returns.some((r) => carriesDerived(r.value, id)) ? 'aggregates' : undefined;
}

/** A `LastEvaluatedKey` loop with no cap on pages or items (`range(MAX_PAGES)`, `len(items) < N`). */
export function drainsAllPages(facts: FileFacts, call: TableCall): boolean {
  if (!call.loop) return false;
  const text = textOf(facts.text, call.loop);
  return /LastEvaluatedKey|last_evaluated_key/.test(text) && !/\blen\s*\(|\brange\s*\(|max_pages|MAX_PAGES/i.test(text);
}

/** Handlers of the file that call `fnName` and return something built from DynamoDB results. */
export function calledFromHandler(facts: FileFacts, fnName: string): boolean {
  const re = new RegExp(`\\b${fnName}\\s*\\(`);
  return facts.handlers.some((h) => re.test(textOf(facts.text, h.fn.body)) && h.returns.some((r) => r.value.dbWhole?.size || r.value.dbFrom?.length || r.value.elem?.dbFrom?.length));
}
