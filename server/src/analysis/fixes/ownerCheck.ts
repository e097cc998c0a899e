import type { FileFacts, FunctionFacts, KeyPart, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import { field } from '../parse/syntax';
import type { Fix } from '../types';
import { EditBuilder, insertAt, mergeInsertions, pyString } from './edits';
import { chooseSubject, denyLines, ownerAttribute, ownerAttributeFromFile, USER_KEY } from './subject';

/**
 * DG101 on a read of an item owned by someone (a note id, an order id): fetch, then refuse with
 * 404 unless the item's owner attribute is the caller — RULES.md's fetch-then-check. Comparing the
 * key itself with the caller's id would refuse every request, so this is the preferred fix there.
 */
export function ownerCheckFix(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall, part: KeyPart): Fix | undefined {
  // The client API returns typed values (`{"S": ...}`): a plain comparison would be wrong.
  if (call.method !== 'get_item' || call.api === 'client' || USER_KEY.test(part.attr ?? '')) return undefined;
  const stmt = call.statement;
  const asg = stmt.type === 'expression_statement' ? stmt.children[0] : undefined;
  const left = asg?.type === 'assignment' ? field(asg, 'left') : undefined;
  const right = asg ? field(asg, 'right') : undefined;
  if (left?.type !== 'identifier' || !right) return undefined;
  const name = textOf(facts.text, left);
  const item = pyString('Item', facts);
  let itemExpr: string | undefined;
  if (right === call.node) itemExpr = `(${name}.get(${item}) or {})`;
  else if (right.type === 'subscript' && field(right, 'value') === call.node) itemExpr = name;
  else if (right.type === 'call' && field(field(right, 'function')!, 'object') === call.node) itemExpr = `(${name} or {})`;
  if (!itemExpr) return undefined;
  const b = new EditBuilder(facts);
  // The new lines go after the statement: it must end its line (nothing but a comment after it).
  if (b.line(stmt.endRow).slice(stmt.endCol).replace(/#.*$/, '').trim() !== '') return undefined;
  const subject = chooseSubject(facts, fnFacts, b);
  if (!subject) return undefined;
  const known = ownerAttributeFromFile(facts);
  const attr = known ?? ownerAttribute(facts);
  const deny = denyLines(fnFacts.handler!.framework, b, facts, 404);
  const indent = b.indentOf(stmt.startRow);
  const unit = b.indentUnit();
  const lines = [`if ${itemExpr}.get(${pyString(attr, facts)}) != ${subject.expr}:`, ...deny.lines.map((l) => unit + l)];
  return {
    title: `Check that the fetched item's ${attr} is the caller (404 otherwise)`,
    edits: mergeInsertions([...subject.edits, ...deny.edits, insertAt(stmt.endRow + 1, 0, lines.map((l) => indent + l).join('\n') + '\n')]),
    isPreferred: true,
    safe: !!known && !subject.guessed,
  };
}
