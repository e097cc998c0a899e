import type { FileFacts, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import type { WrittenAttribute } from '../model/tableCalls';
import { field, type SyntaxNode } from '../parse/syntax';
import type { TextEdit } from '../types';
import { EditBuilder, pyString, replaceNode } from './edits';

// Removing things from Python source without leaving a dangling comma or an empty block:
// a dict pair, a keyword argument, a list element, a statement, an update-expression action.

/** Delete `node` from its bracketed list (dict pair, keyword argument, list element), with one comma. */
export function removeFromList(b: EditBuilder, node: SyntaxNode): TextEdit | undefined {
  const siblings = node.parent?.children.filter((c) => c.named && c.type !== 'comment') ?? [];
  const i = siblings.indexOf(node);
  if (i < 0) return undefined;
  const next = siblings[i + 1];
  const prev = siblings[i - 1];
  const [from, to] = next ? [node.start, next.start] : prev ? [prev.end, node.end] : [node.start, node.end];
  return { range: { start: b.position(from), end: b.position(to) }, newText: '' };
}

/** Delete the statement `node` belongs to (`item["role"] = x`, `user.role = x`), unless it is alone in its block. */
export function removeStatement(b: EditBuilder, node: SyntaxNode): TextEdit | undefined {
  let s: SyntaxNode | null = node;
  while (s && s.type !== 'expression_statement') s = s.parent;
  if (!s || !b.startsLine(s) || (s.parent?.children.filter((c) => c.named && c.type !== 'comment').length ?? 0) < 2) return undefined;
  return { range: { start: { line: s.startRow, character: 0 }, end: { line: s.endRow + 1, character: 0 } }, newText: '' };
}

/** Rewrite a literal UpdateExpression without the dropped actions, and drop their unused `#name`/`:value` entries. */
export function removeUpdateActions(facts: FileFacts, b: EditBuilder, call: TableCall, drop: WrittenAttribute[]): TextEdit[] | undefined {
  const ue = call.kwargs.get('UpdateExpression')!;
  const text = ue.value.str!;
  if (ue.node.type !== 'string') return undefined;
  const dropped = new Set(drop.map((w) => w.action!.start));
  const clauses: string[] = [];
  // Split on clause keywords at top level, keeping action texts whose start is not dropped.
  const re = /\b(SET|ADD|DELETE|REMOVE)\s+/gi;
  const marks = [...text.matchAll(re)].map((m) => ({ kw: m[1]!.toUpperCase(), start: m.index!, body: m.index! + m[0].length }));
  marks.forEach((m, i) => {
    const end = marks[i + 1]?.start ?? text.length;
    const actions: string[] = [];
    let from = m.body;
    let depth = 0;
    for (let j = m.body; j <= end; j++) {
      const c = text[j];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      if (j === end || (c === ',' && depth === 0)) {
        const a = text.slice(from, j).trim();
        const at = from + text.slice(from, j).search(/\S/);
        if (a && !dropped.has(at)) actions.push(a);
        from = j + 1;
      }
    }
    if (actions.length) clauses.push(`${m.kw} ${actions.join(', ')}`);
  });
  const next = clauses.join(' ');
  if (!next) return undefined;
  const edits: Array<TextEdit | undefined> = [replaceNode(ue.node, pyString(next, facts))];
  const others = ['ConditionExpression', 'KeyConditionExpression', 'FilterExpression', 'ProjectionExpression'].map((k) => call.kwargs.get(k)?.value.str ?? '').join(' ') + ' ' + next;
  for (const [kwName, keys] of [['ExpressionAttributeNames', drop.map((w) => w.action!.name)], ['ExpressionAttributeValues', drop.flatMap((w) => w.action!.placeholders)]] as const) {
    const arg = call.kwargs.get(kwName);
    const dict = arg?.node;
    const pairs: SyntaxNode[] = [];
    for (const k of new Set(keys)) {
      if (!k || new RegExp(`${k}(?![\\w])`).test(others)) continue;
      const pair = dict?.type === 'dictionary' ? dict.children.find((p) => p.type === 'pair' && textOf(facts.text, field(p, 'key')!).slice(1, -1) === k) : undefined;
      if (!pair) return undefined;
      pairs.push(pair);
    }
    // DynamoDB rejects an empty ExpressionAttributeNames/Values: drop the argument instead.
    if (pairs.length && pairs.length === dict!.children.filter((c) => c.type === 'pair').length) {
      if (arg!.argNode.type !== 'keyword_argument') return undefined;
      edits.push(removeFromList(b, arg!.argNode));
    } else for (const pair of pairs) edits.push(removeFromList(b, pair));
  }
  return edits.filter((e): e is TextEdit => !!e);
}
