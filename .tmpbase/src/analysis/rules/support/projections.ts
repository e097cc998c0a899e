import { offsetRange, removeItem, simpleString } from '../../fixes/literals';
import type { FileFacts, FunctionFacts, TableCall } from '../../model/facts';
import { textOf } from '../../model/module';
import { matchesAny } from '../../model/names';
import { dictGet, type Value } from '../../model/values';
import { field, rangeOf, type SyntaxNode } from '../../parse/syntax';
import type { Fix, Range, TextEdit } from '../../types';

// DG205's reading of projections (call arguments, batch_get_item tables, `#name` placeholders)
// and of response dicts, with the fixes that drop one attribute.

/** Where a read is projected: the call's own arguments, or one table of a batch_get_item. */
export interface Site {
  expr?: SyntaxNode;
  exprValue?: Value;
  list?: SyntaxNode;
  ean?: { node: SyntaxNode; value: Value; container: SyntaxNode; item: SyntaxNode };
  /** Other expressions of the same request that may use a `#name`. */
  others: Value[];
}

export interface Hit { attr: string; range: Range; fix: () => Fix | undefined }

const OTHER_EXPRS = ['KeyConditionExpression', 'FilterExpression', 'ConditionExpression', 'UpdateExpression'];

export function sites(call: TableCall): Site[] {
  const kw = call.kwargs;
  const others = OTHER_EXPRS.map((k) => kw.get(k)?.value).filter((v): v is Value => !!v);
  const eanKw = kw.get('ExpressionAttributeNames');
  const own: Site = { others };
  const pe = kw.get('ProjectionExpression');
  if (pe) { own.expr = pe.node; own.exprValue = pe.value; }
  const list = kw.get('AttributesToGet') ?? kw.get('attributes_to_get');
  if (list?.node.type === 'list') own.list = list.node;
  if (eanKw?.argNode.type === 'keyword_argument' && eanKw.argNode.parent) own.ean = { node: eanKw.node, value: eanKw.value, container: eanKw.argNode.parent, item: eanKw.argNode };
  const out = [own];
  for (const t of kw.get('RequestItems')?.value.dict ?? []) {
    const p = dictGet(t.value, 'ProjectionExpression');
    if (!p) continue;
    const site: Site = { expr: p.valueNode, exprValue: p.value, others: [] };
    const e = dictGet(t.value, 'ExpressionAttributeNames');
    const pair = e?.valueNode.parent;
    if (e && pair?.type === 'pair' && pair.parent) site.ean = { node: e.valueNode, value: e.value, container: pair.parent, item: pair };
    out.push(site);
  }
  return out;
}

/** Names that describe a secret rather than hold it: `card_id`, `token_expires_at`, `mfa_enabled`. */
const DESCRIBES = /(_id|Id|_ids|_at|At|_count|_enabled|_type|_last4|_expiry|_expires)$/;

export function isSensitive(facts: FileFacts, path: string): boolean {
  return path.split('.').some((seg) => {
    const name = seg.replace(/\[\d+\]/g, '');
    return matchesAny(name, facts.settings.sensitiveAttributes) && !DESCRIBES.test(name);
  });
}

/** Dropped before the response (`item.pop("password_hash")`, `del item["password_hash"]`)? */
export function droppedInBody(facts: FileFacts, fnFacts: FunctionFacts, attr: string): boolean {
  const a = attr.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\.pop\\(\\s*["']${a}["']|\\bdel\\s+[\\w.]+(\\[[^\\]]*\\])*\\[\\s*["']${a}["']\\s*\\]`).test(textOf(facts.text, fnFacts.fn.body));
}

export function projectionHits(facts: FileFacts, site: Site): Hit[] {
  const hits: Hit[] = [];
  const eanStr = (ph: string) => (site.ean ? dictGet(site.ean.value, ph)?.value.str : undefined);
  if (site.expr && site.exprValue?.str !== undefined) {
    const value = site.exprValue.str;
    const lit = simpleString(facts.text, site.expr);
    const elems = [...value.matchAll(/[^,]+/g)].map((m) => {
      const lead = m[0].length - m[0].trimStart().length;
      return { text: m[0].trim(), start: m.index! + lead, end: m.index! + lead + m[0].trim().length };
    }).filter((e) => e.text);
    elems.forEach((e, i) => {
      const path = e.text.replace(/#[A-Za-z0-9_]+/g, (ph) => eanStr(ph) ?? ph);
      if (!isSensitive(facts, path)) return;
      const range = lit ? offsetRange(facts, lit.contentStart + e.start, lit.contentStart + e.end) : rangeOf(site.expr!);
      hits.push({ attr: path, range, fix: () => {
        if (!lit || elems.length < 2) return undefined;
        const from = elems[i + 1] ? e.start : elems[i - 1]!.end;
        const to = elems[i + 1] ? elems[i + 1]!.start : e.end;
        const edits: TextEdit[] = [{ range: offsetRange(facts, lit.contentStart + from, lit.contentStart + to), newText: '' }];
        const rest = value.slice(0, from) + value.slice(to);
        for (const ph of e.text.match(/#[A-Za-z0-9_]+/g) ?? []) {
          const re = new RegExp(`${ph}(?![A-Za-z0-9_])`);
          if (re.test(rest) || site.others.some((v) => v.str === undefined || re.test(v.str))) continue;
          const ean = site.ean;
          if (!ean || ean.node.type !== 'dictionary') return undefined;
          const pair = ean.node.children.find((c) => c.type === 'pair' && dictKey(facts, c) === ph);
          if (!pair) return undefined;
          const pairs = ean.node.children.filter((c) => c.named);
          edits.push(pairs.length === 1 ? removeItem(facts, ean.container, ean.item) : removeItem(facts, ean.node, pair));
        }
        return { title: `Remove \`${path}\` from the projection`, edits, isPreferred: true, safe: true };
      } });
    });
  }
  if (site.list) {
    const items = site.list.children.filter((c) => c.named);
    for (const item of items) {
      const s = item.type === 'string' ? simpleString(facts.text, item)?.value : undefined;
      if (s === undefined || !isSensitive(facts, s)) continue;
      hits.push({ attr: s, range: rangeOf(item), fix: () => (items.length < 2 ? undefined : { title: `Remove \`${s}\` from the projection`, edits: [removeItem(facts, site.list!, item)], isPreferred: true, safe: true }) });
    }
  }
  return hits;
}

function dictKey(facts: FileFacts, pair: SyntaxNode): string | undefined {
  const k = field(pair, 'key');
  return k ? simpleString(facts.text, k)?.value : undefined;
}

/** The attribute a response value was read as: `item["password_hash"]`, `item.get("x")`, `m.password_hash`. */
export function readAttribute(facts: FileFacts, node: SyntaxNode): string | undefined {
  let n: SyntaxNode | undefined = node;
  if (n.type === 'call') {
    const f = field(n, 'function');
    if (f?.type !== 'attribute' || textOf(facts.text, field(f, 'attribute')!) !== 'get') return undefined;
    n = field(n, 'arguments')?.children.find((c) => c.named);
    return n ? simpleString(facts.text, n)?.value : undefined;
  }
  if (n.type === 'subscript') {
    const s = field(n, 'subscript');
    return s ? simpleString(facts.text, s)?.value : undefined;
  }
  return n.type === 'attribute' ? textOf(facts.text, field(n, 'attribute')!) : undefined;
}

/** Dict entries of a response value (nested dicts, list elements) whose value came from a read. */
export function responseEntries(v: Value, out: Array<{ key: string; keyNode: SyntaxNode; valueNode: SyntaxNode }>, depth = 0): void {
  if (depth > 4) return;
  for (const e of v.dict ?? []) {
    if (e.value.dbFrom?.length) out.push(e);
    responseEntries(e.value, out, depth + 1);
  }
  if (v.elem) responseEntries(v.elem, out, depth + 1);
}
