import type { FileFacts, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import { matchesAny } from '../model/names';
import type { SyntaxNode } from '../parse/syntax';
import type { Value } from '../model/values';
import { isOwnerAttribute } from './ownership';

// Shared resources: a poll everyone votes on, a post everyone comments on, a product whose view
// count anyone bumps. Updating such an item by a request-chosen id is the feature, not BOLA, when
// the update only *contributes*: it counts by a constant (`SET votes = votes + :one`, `ADD
// views :one`) or appends an entry signed with the caller's identity (`SET comments =
// list_append(comments, :mine)` where `:mine` carries the subject). It overwrites nothing,
// removes nothing, and touches no ownership or privilege attribute (`balance`, `owner_id`,
// `role`...: a deposit into any wallet stays BOLA). Anything else keeps DG101.

const MAX_CLAUSE = 32;

/** Source text of `node`, read from the file the (possibly layered) call lives in. */
function sourceText(facts: FileFacts, call: TableCall, node: SyntaxNode): string | undefined {
  const file = call.via?.[call.via.length - 1]?.path;
  const text = file ? facts.workspace?.factsAt?.(file)?.text : facts.text;
  return text === undefined ? undefined : textOf(text, node);
}

function carriesSubject(v: Value | undefined, depth = 0): boolean {
  if (!v || depth > 4) return false;
  if (v.subject?.length) return true;
  if (carriesSubject(v.elem, depth + 1)) return true;
  return (v.dict ?? []).some((e) => carriesSubject(e.value, depth + 1));
}

const NUMBER = /^\s*(-?\d+(\.\d+)?|(decimal\.)?Decimal\(\s*["']?-?\d+["']?\s*\)|int\(\s*\d+\s*\))\s*$/;

/** The update only counts by constants or appends the caller's own entries (see above). */
export function contributionOnly(facts: FileFacts, call: TableCall): boolean {
  if (call.method !== 'update_item') return false;
  const ue = call.kwargs.get('UpdateExpression');
  if (!ue) return false;
  const expr = ue.value.str ?? sourceText(facts, call, ue.node)?.replace(/^\s*["']|["']\s*(\.format\(.*\))?\s*$/gs, '');
  if (!expr || /\b(REMOVE|DELETE)\b/i.test(expr)) return false;
  const eav = call.kwargs.get('ExpressionAttributeValues');
  const valueOk = (ph: string, append: boolean): boolean => {
    const entry = eav?.value.dict?.find((e) => e.key === ph);
    if (!entry) return false;
    if (append) return carriesSubject(entry.value);
    if (entry.value.request?.length || entry.value.subject?.length) return false;
    return !!entry.value.constant || NUMBER.test(sourceText(facts, call, entry.valueNode) ?? '');
  };
  const attrOk = (path: string) => {
    const name = path.replace(/\[[^\]]*\]/g, '').split('.')[0]!.replace(/^#/, '');
    const real = name && call.kwargs.get('ExpressionAttributeNames')?.value.dict?.find((e) => e.key === `#${name}`)?.value.str;
    const attr = real ?? name;
    return !!attr && !isOwnerAttribute(facts, attr) && !matchesAny(attr, facts.settings.ownerAttributes);
  };
  const norm = (p: string) => p.replace(/\s+/g, '');
  let clauses = 0;
  for (const m of expr.matchAll(/\b(SET|ADD)\b([\s\S]*?)(?=\b(?:SET|ADD)\b|$)/gi)) {
    for (const raw of m[2]!.split(/,(?![^(]*\))/)) {
      const c = raw.trim();
      if (!c) continue;
      if (++clauses > MAX_CLAUSE) return false;
      if (m[1]!.toUpperCase() === 'ADD') {
        const add = /^([#\w.[\]{}]+)\s+(:\w+)$/.exec(c);
        if (!add || !attrOk(add[1]!) || !valueOk(add[2]!, false)) return false;
        continue;
      }
      const counter = /^([#\w.[\]{}]+)\s*=\s*(?:if_not_exists\(\s*([#\w.[\]{}]+)\s*,\s*:\w+\s*\)|([#\w.[\]{}]+))\s*[+-]\s*(:\w+)$/.exec(c);
      if (counter) {
        if (norm(counter[1]!) !== norm(counter[2] ?? counter[3]!) || !attrOk(counter[1]!) || !valueOk(counter[4]!, false)) return false;
        continue;
      }
      const append = /^([#\w.[\]{}]+)\s*=\s*list_append\(\s*(?:([#\w.[\]{}]+)\s*,\s*(:\w+)|(:\w+)\s*,\s*([#\w.[\]{}]+))\s*\)$/.exec(c);
      if (!append) return false;
      const target = append[2] ?? append[5]!;
      if (norm(append[1]!) !== norm(target) || !attrOk(append[1]!) || !valueOk(append[3] ?? append[4]!, true)) return false;
    }
  }
  return clauses > 0;
}
