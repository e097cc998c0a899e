import { EditBuilder, mergeInsertions, pyString, replaceNode } from '../../fixes/edits';
import type { FileFacts, FunctionFacts, TableCall } from '../../model/facts';
import { textOf } from '../../model/module';
import { dictGet, unwrapTyped, type Value } from '../../model/values';
import { field, visit, type SyntaxNode } from '../../parse/syntax';
import type { Fix, TextEdit } from '../../types';
import { needsPlaceholder } from '../DG201-missing-projection';

// DG304's helpers. `conditioned`: does a write's condition detect a change since the read? The
// fix makes the write conditional on the item being as it was read. With a version attribute:
// `version = :expected_version` (+ bump the version in the same write so the next writer's check
// means something). Without one: compare an attribute the function read and rewrites.

export const VERSION_ATTR = /^(version|_version|lock_version|revision|version_number|versionNumber)$/;

interface ItemRef {
  /** Python expression for the read item (`item`, `resp["Item"]`). */
  expr: string;
}

function assignmentsTo(fn: SyntaxNode, text: string, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  visit(fn, (n) => {
    if (n.type === 'assignment' && field(n, 'left')?.type === 'identifier' && textOf(text, field(n, 'left')!) === name) out.push(n);
    return true;
  });
  return out;
}

/** `item = table.get_item(...)["Item"]`, `resp = table.get_item(...)` (+ `item = resp.get("Item")`). */
function itemRef(text: string, fnFacts: FunctionFacts, read: TableCall, quote: string): ItemRef | undefined {
  const a = read.statement.children[0];
  const left = a?.type === 'assignment' ? field(a, 'left') : undefined;
  const right = a ? field(a, 'right') : undefined;
  if (!left || left.type !== 'identifier' || !right) return undefined;
  const name = textOf(text, left);
  const body = fnFacts.fn.body;
  if (assignmentsTo(body, text, name).length !== 1) return undefined;
  const same = (n: SyntaxNode | undefined) => !!n && n.start === read.node.start && n.end === read.node.end;
  const itemOf = (n: SyntaxNode) => (n.type === 'subscript' && same(field(n, 'value')) && /^\[\s*["']Item["']\s*\]$/.test(text.slice(field(n, 'value')!.end, n.end))) ||
    (n.type === 'call' && field(n, 'function')?.type === 'attribute' && same(field(field(n, 'function')!, 'object')) && /^\.get\(\s*["']Item["']/.test(text.slice(read.node.end, n.end)));
  if (itemOf(right)) return { expr: name };
  if (!same(right)) return undefined;
  // A later `item = resp["Item"]` / `resp.get("Item")` names the item better than `resp["Item"]`.
  const re = new RegExp(`^${name}\\s*(\\[\\s*["']Item["']\\s*\\]|\\.get\\(\\s*["']Item["'][^)]*\\))$`);
  let alias: string | undefined;
  visit(body, (n) => {
    const l = n.type === 'assignment' ? field(n, 'left') : undefined;
    if (!alias && l?.type === 'identifier' && re.test(textOf(text, field(n, 'right') ?? l)) && assignmentsTo(body, text, textOf(text, l)).length === 1) alias = textOf(text, l);
    return true;
  });
  return { expr: alias ?? `${name}[${quote}Item${quote}]` };
}

/** The first statement between the read and the write that assigns `<item>["<attr>"]`. */
function mutation(text: string, fnFacts: FunctionFacts, item: string, attr: string, from: number, to: number): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  visit(fnFacts.fn.body, (n) => {
    if (found || n.end <= from || n.start >= to) return false;
    const left = n.type === 'assignment' || n.type === 'augmented_assignment' ? field(n, 'left') : undefined;
    if (left?.type === 'subscript' && textOf(text, field(left, 'value')!) === item && new RegExp(`^\\[\\s*["']${attr}["']\\s*\\]$`).test(text.slice(field(left, 'value')!.end, left.end))) found = n.parent ?? n;
    return true;
  });
  return found;
}

/** Attributes the write sets (UpdateExpression SET/ADD targets, Item keys). */
function written(write: TableCall): string[] {
  const expr = write.kwargs.get('UpdateExpression')?.value.str;
  const ean = write.kwargs.get('ExpressionAttributeNames')?.value;
  if (expr !== undefined) {
    const names = [...expr.matchAll(/(?:\bSET\b|\bADD\b|,)\s*(#?[A-Za-z_][\w]*)/gi)].map((m) => m[1]!);
    return names.map((n) => (n.startsWith('#') ? (ean && dictGet(ean, n)?.value.str) ?? n : n));
  }
  return write.kwargs.get('Item')?.value.dict?.map((e) => e.key) ?? [];
}

const COMPARISON = /(#?[A-Za-z_][\w.]*)\s*(?:=|<>|<=|>=|<|>)\s*(:\w+)|(:\w+)\s*(?:=|<>|<=|>=|<|>)\s*(#?[A-Za-z_][\w.]*)/g;

/** Derived from the read, also through list elements and dict entries (`[item["title"]]`). */
export function fromRead(v: Value | undefined, read: TableCall, depth = 0): boolean {
  if (!v) return false;
  if (v.dbFrom?.includes(read.id) || v.dbWhole?.has(read.id)) return true;
  return depth < 4 && (fromRead(v.elem, read, depth + 1) || !!v.dict?.some((e) => fromRead(e.value, read, depth + 1)));
}

/**
 * Is the write conditioned on the item being as it was read? A comparison of an attribute with a
 * value taken from the read item, or of a version-like attribute with any value (an ETag/If-Match
 * version sent by the client is optimistic locking too); `attribute_not_exists(...)` refuses any
 * existing item. Unknown conditions (built dynamically, legacy `Expected`) are given the benefit of the doubt.
 */
export function conditioned(facts: FileFacts, write: TableCall, read: TableCall): boolean {
  if (write.kwargs.has('Expected')) return true;
  if (write.api === 'pynamo') {
    const cls = facts.module.classes.get(write.pynamoModel ?? '');
    return write.kwargs.has('condition') || (!!cls && /VersionAttribute\s*\(/.test(textOf(facts.text, cls.node)));
  }
  const ce = write.kwargs.get('ConditionExpression');
  if (!ce) return false;
  if (ce.value.cond) return ce.value.cond.some((c) => VERSION_ATTR.test(c.attr) || fromRead(c.value, read));
  const expr = ce.value.str;
  if (expr === undefined) return true;
  if (/attribute_not_exists\s*\(/.test(expr) && !/\bOR\b/i.test(expr)) return true;
  const eav = write.kwargs.get('ExpressionAttributeValues')?.value;
  const ean = write.kwargs.get('ExpressionAttributeNames')?.value;
  for (const m of expr.matchAll(COMPARISON)) {
    const name = m[1] ?? m[4]!;
    const attr = name.startsWith('#') ? ean && dictGet(ean, name)?.value.str : name;
    if (attr && VERSION_ATTR.test(attr)) return true;
    if (!eav?.dict) return true;
    const entry = dictGet(eav, m[2] ?? m[3]!);
    if (entry && fromRead(unwrapTyped(entry.value), read)) return true;
  }
  return false;
}

export function versionFix(facts: FileFacts, fnFacts: FunctionFacts, read: TableCall, write: TableCall): Fix | undefined {
  if (write.api === 'pynamo' || write.api === 'batch') return undefined;
  const text = facts.text;
  const ref = itemRef(text, fnFacts, read, pyString('', facts)[0]!);
  if (!ref) return undefined;
  const client = write.api === 'client';
  const isPut = write.method === 'put_item';
  const itemNode = write.kwargs.get('Item')?.node;
  const wholeItem = !!itemNode && textOf(text, itemNode) === ref.expr;
  const used = [...read.usedFields];
  const version = used.find((a) => VERSION_ATTR.test(a));
  const mutatedAttrs = used.filter((a) => mutation(text, fnFacts, ref.expr, a, read.statement.end, write.statement.start));
  const attr = version ?? used.find((a) => written(write).includes(a)) ?? (wholeItem ? mutatedAttrs[0] : undefined);
  if (!attr) return undefined;
  const b = new EditBuilder(facts);
  const edits: Array<TextEdit | undefined> = [];
  const q = (s: string) => pyString(s, facts);
  const read_ = `${ref.expr}[${q(attr)}]`;
  const captured = `${version ? 'expected' : 'old'}_${attr.replace(/\W/g, '_')}`;
  const mutated = mutation(text, fnFacts, ref.expr, attr, read.statement.end, write.statement.start);
  let expected = read_;
  const eav: Array<[string, string]> = [];
  const path = needsPlaceholder(attr) ? '#' + attr.replace(/\W/g, '_') : attr;
  const ph = `:${version ? 'expected' : 'old'}_${attr.replace(/\W/g, '_')}`;
  if (mutated) {
    // The function changes the attribute before writing: remember the value it read.
    if (mutated.parent !== write.statement.parent) return undefined;
    edits.push(b.insertLinesBefore(mutated, [`${captured} = ${read_}`]));
    expected = captured;
  } else if (version && isPut) {
    // Keep the scheme working: the item written carries the next version.
    if (client) return undefined;
    if (wholeItem) {
      edits.push(b.insertLinesBefore(write.statement, [`${captured} = ${read_}`, `${read_} = ${captured} + 1`]));
      expected = captured;
    } else if (itemNode?.type === 'dictionary' && !dictGet(write.kwargs.get('Item')!.value, attr)) {
      edits.push(b.addDictEntry(itemNode, q(attr), `${read_} + 1`));
    } else if (itemNode?.type !== 'dictionary') return undefined;
  } else if (version && !written(write).includes(attr)) {
    const ue = write.kwargs.get('UpdateExpression');
    const str = ue?.node;
    if (!str || str.type !== 'string' || str.children.some((c) => c.type === 'interpolation') || ue.value.str === undefined) return undefined;
    const raw = textOf(text, str);
    const close = str.children.find((c) => c.type === 'string_end')!.start - str.start;
    const add = /\bADD\s+/i.exec(raw);
    const next = add ? raw.slice(0, add.index + add[0].length) + `${path} :one, ` + raw.slice(add.index + add[0].length) : `${raw.slice(0, close)} ADD ${path} :one${raw.slice(close)}`;
    edits.push(replaceNode(str, next));
    eav.push([':one', client ? `{${q('N')}: ${q('1')}}` : '1']);
  }
  eav.unshift([ph, expected]);
  const cond = `${path} = ${ph}`;
  const ce = write.kwargs.get('ConditionExpression');
  if (ce) {
    const old = ce.value.str;
    if (old === undefined || ce.node.type !== 'string') return undefined;
    edits.push(replaceNode(ce.node, q(/\bOR\b/i.test(old) ? `(${old}) AND ${cond}` : `${old} AND ${cond}`)));
  } else edits.push(b.addKeywordArgument(write.node, 'ConditionExpression', q(cond)));
  const eavKw = write.kwargs.get('ExpressionAttributeValues');
  for (const [k] of eav) {
    const e = eavKw && dictGet(eavKw.value, k);
    if (e && !(k === ':one' && /^(1|\{\s*["']N["']\s*:\s*["']1["']\s*\})$/.test(textOf(text, e.valueNode)))) return undefined;
  }
  const entries = eav.filter(([k]) => !(eavKw && dictGet(eavKw.value, k)));
  if (!eavKw) edits.push(b.addKeywordArgument(write.node, 'ExpressionAttributeValues', `{${entries.map(([k, v]) => `${q(k)}: ${v}`).join(', ')}}`));
  else if (eavKw.node.type === 'dictionary') for (const [k, v] of entries) edits.push(b.addDictEntry(eavKw.node, q(k), v));
  else return undefined;
  if (path !== attr) {
    const ean = write.kwargs.get('ExpressionAttributeNames');
    if (!ean) edits.push(b.addKeywordArgument(write.node, 'ExpressionAttributeNames', `{${q(path)}: ${q(attr)}}`));
    else if (ean.node.type === 'dictionary') { if (!dictGet(ean.value, path)) edits.push(b.addDictEntry(ean.node, q(path), q(attr))); }
    else return undefined;
  }
  if (edits.some((e) => !e)) return undefined;
  return {
    title: version ? `Add an optimistic version check (${attr} = ${ph})` : `Add ConditionExpression="${cond}" (the ${attr} read must be unchanged)`,
    edits: mergeInsertions(edits),
    isPreferred: true,
    safe: !!version,
  };
}
