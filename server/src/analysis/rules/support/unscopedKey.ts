import type { KeyPart, TableCall } from '../../model/facts';
import type { Source } from '../../model/values';

// DG101's reading of one table call: which request sources choose its key, unchecked.

/** Request sources of the key that no guard verified, when the key is not bound to the subject. */
export function unscopedSources(call: TableCall): { part: KeyPart; sources: Source[] } | undefined {
  if (call.conditionBindsSubject || call.postChecked) return undefined;
  // Transaction puts that only create (attribute_not_exists) are like the put_item case below.
  const parts = call.keys.filter((p) => !p.createOnly);
  if (!parts.length) return undefined;
  // A subject-derived key attribute scopes the item to the caller (composite keys included).
  if (parts.some((p) => p.value.subject?.length)) return undefined;
  // Writing back an item fetched with a caller-bound key (`item = get(uid, me)`; `put_item(Item=item)`).
  if (call.kwargs.get('Item')?.value.keyedBy?.subject?.length) return undefined;
  // A put guarded by attribute_not_exists cannot touch an existing (someone else's) item.
  const cond = call.kwargs.get('ConditionExpression')?.value.str;
  if (call.method === 'put_item' && cond && /attribute_not_exists/.test(cond)) return undefined;
  // The partition key decides whose items are reachable; a request-chosen sort key inside the
  // caller's partition is DG104's business, not BOLA.
  const partition = parts.filter((p) => p.partition);
  for (const part of partition.length ? partition : parts) {
    const sources = (part.value.request ?? []).filter((s) => !call.verified.has(s.id));
    if (sources.length && !part.value.fresh) return { part, sources };
  }
  return undefined;
}
