import type { FileFacts, FunctionFacts, KeyPart, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import { dictGet, type Source } from '../model/values';
import { field, type SyntaxNode } from '../parse/syntax';
import type { Fix, TextEdit } from '../types';
import { withConditionFailure } from './conditionFailure';
import { EditBuilder, mergeInsertions, pyString, replaceNode } from './edits';
import { chooseSubject, denyLines, keyExpression, ownerAttribute, ownerAttributeFromFile, USER_KEY } from './subject';

// DG101's two binding fixes. A 403 guard compares the KEY with the caller's id, which is right
// only when the key is the caller's identity (`/users/{user_id}`); comparing an order id with a
// user id refuses every request, so that guard is not offered at all for other keys. There the
// item's owner attribute is what must match: the `ConditionExpression` below (update/delete) or
// the fetch-then-check of ownerCheck.ts (get_item).

function isUserKey(part: KeyPart, key: string): boolean {
  return USER_KEY.test(part.attr ?? '') || (!part.attr && USER_KEY.test(key.replace(/^.*[.[]["']?|["']?\]$/g, '')));
}

const BROAD_EXCEPT = /^except\s*(:|[^:]*\b(Exception|BaseException|HTTPException)\b)/;

/**
 * Where the 403 guard goes: before the call's statement, or before the `try` around it when that
 * `try` catches broadly (`except Exception:` would turn the 403 into a 500) and the key is already
 * bound before the `try`.
 */
function guardAnchor(facts: FileFacts, stmt: SyntaxNode, key: string): SyntaxNode {
  const root = /^\w+/.exec(key)?.[0];
  let anchor = stmt;
  for (let n = stmt.parent; n && n.type !== 'function_definition'; n = n.parent) {
    if (n.type !== 'try_statement') continue;
    const body = field(n, 'body');
    if (!body || anchor.startRow < body.startRow || anchor.endRow > body.endRow) continue;
    const catches = n.children.some((c) => c.type === 'except_clause' && BROAD_EXCEPT.test(textOf(facts.text, c).split('\n')[0]!.trim()));
    const before = facts.text.slice(body.start, stmt.start);
    if (!catches || !root || new RegExp(`\\b${root}\\s*(=[^=]|:=)|\\bas\\s+${root}\\b|for\\s+${root}\\b`).test(before)) continue;
    anchor = n;
  }
  return anchor;
}

export function guardFix(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall, part: KeyPart, sources: Source[]): Fix | undefined {
  const h = fnFacts.handler!;
  const b = new EditBuilder(facts);
  let key = keyExpression(facts, part, sources);
  if (!key || !isUserKey(part, key)) return undefined;
  const subject = chooseSubject(facts, fnFacts, b);
  if (!subject) return undefined;
  const deny = denyLines(h.framework, b, facts);
  const unit = b.indentUnit();
  const edits: Array<TextEdit | undefined> = [...subject.edits, ...deny.edits];
  const lines: string[] = [];
  // A guard on `request.args["user_id"]` and a key that reads it again are two reads: bind the
  // value once so the analyzer (and a reader) sees the guard protect the very value used.
  if (part.node.type !== 'identifier' && sources.every((s) => !s.id.startsWith('param:'))) {
    const name = (part.attr ?? 'key').replace(/\W/g, '_');
    if (b.isBound(name) || fnFacts.fn.params.some((p) => p.name === name) || new RegExp(`\\b${name}\\s*=`).test(textOf(facts.text, fnFacts.fn.body))) return undefined;
    lines.push(`${name} = ${key}`);
    edits.push(replaceNode(part.node, name));
    key = name;
  }
  lines.push(`if ${key} != ${subject.expr}:`, ...deny.lines.map((l) => unit + l));
  const guard = b.insertLinesBefore(guardAnchor(facts, call.statement, key), lines);
  if (!guard) return undefined;
  return {
    title: `Insert a 403 guard: ${key} != ${subject.expr} (the key is the caller's identity)`,
    edits: mergeInsertions([...edits, guard]),
    isPreferred: true,
    safe: !subject.guessed,
  };
}

/** A placeholder named after the attribute, as hand-written expressions do (`:owner_id`), unused in the call. */
function placeholderFor(call: TableCall, attr: string): string {
  const used = JSON.stringify([...call.kwargs.values()].map((k) => k.value.str ?? '')) + (call.kwargs.get('ExpressionAttributeValues')?.value.dict ?? []).map((e) => e.key).join(' ');
  const base = `:${attr.replace(/\W/g, '_')}`;
  for (let i = 0; i < 10; i++) {
    const p = i ? `${base}_${i}` : base;
    if (!new RegExp(`${p}\\b`).test(used)) return p;
  }
  return `${base}_owner`;
}

export function ownerConditionFix(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall, part: KeyPart): Fix | undefined {
  if (call.method !== 'update_item' && call.method !== 'delete_item') return undefined;
  if (call.api !== 'resource' && call.api !== 'unknown') return undefined;
  const userKey = USER_KEY.test(part.attr ?? '');
  const known = ownerAttributeFromFile(facts);
  const b = new EditBuilder(facts);
  const subject = chooseSubject(facts, fnFacts, b);
  if (!subject) return undefined;
  const attr = known ?? ownerAttribute(facts);
  const placeholder = placeholderFor(call, attr);
  const clause = `${attr} = ${placeholder}`;
  const add: Array<[string, string]> = [];
  const replace = new Map<string, string>();
  const ce = call.kwargs.get('ConditionExpression');
  if (ce) {
    if (ce.node.type !== 'string' || ce.value.str === undefined) return undefined;
    replace.set('ConditionExpression', pyString(`(${ce.value.str}) AND ${clause}`, facts));
  } else add.push(['ConditionExpression', pyString(clause, facts)]);
  const entry = `${pyString(placeholder, facts)}: ${subject.expr}`;
  const extra: Array<TextEdit | undefined> = [];
  const eav = call.kwargs.get('ExpressionAttributeValues');
  if (!eav) add.push(['ExpressionAttributeValues', `{${entry}}`]);
  else if (eav.node.type === 'dictionary' && eav.node.startRow !== eav.node.endRow) {
    extra.push(b.addDictEntry(eav.node, pyString(placeholder, facts), subject.expr));
  } else if (eav.node.type === 'dictionary') {
    if (dictGet(eav.value, placeholder)) return undefined;
    const inner = textOf(facts.text, eav.node).slice(1, -1).replace(/,?\s*$/, '').trim();
    replace.set('ExpressionAttributeValues', inner ? `{${inner}, ${entry}}` : `{${entry}}`);
  } else replace.set('ExpressionAttributeValues', `{**${textOf(facts.text, eav.node)}, ${entry}}`);
  const laid = b.editKeywordArguments(call.node, add, replace);
  if (!laid || extra.some((e) => !e)) return undefined;
  const callEdits = [...laid, ...(extra as TextEdit[])];
  // Someone else's item (or none): 404, which does not reveal that the item exists.
  const mapped = withConditionFailure(facts, fnFacts, call, callEdits, 404);
  return {
    title: `Add ConditionExpression ${clause} (the item must belong to the caller; 404 otherwise)`,
    edits: mergeInsertions([...subject.edits, ...(mapped ?? callEdits)]),
    isPreferred: !userKey,
    safe: !userKey && !!known && !subject.guessed && !!mapped,
  };
}
