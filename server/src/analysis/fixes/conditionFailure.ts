import type { FileFacts, FunctionFacts, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import type { TextEdit } from '../types';
import type { SyntaxNode } from '../parse/syntax';
import { EditBuilder, at } from './edits';
import { denyLines } from './subject';

// A condition added by a fix makes DynamoDB refuse a write with ConditionalCheckFailedException.
// Unhandled, that is an HTTP 500 (and an alarm); the framework's 404 (the item is not the
// caller's, or is gone) or 409 (it already exists) is what the refusal means.

/** The exception class to catch for a refused condition on `call`, when the receiver is a plain name. */
function conditionException(facts: FileFacts, call: TableCall): string | undefined {
  const recv = textOf(facts.text, call.receiver);
  if (!/^[A-Za-z_][\w.]*$/.test(recv)) return undefined;
  if (call.api === 'client') return `${recv}.exceptions.ConditionalCheckFailedException`;
  if (call.api === 'resource' || call.api === 'unknown') return `${recv}.meta.client.exceptions.ConditionalCheckFailedException`;
  return undefined;
}

/**
 * Edits that apply `callEdits` (all inside the call's statement) and wrap the statement in
 * `try: ... except ConditionalCheckFailedException: <deny status>`. Undefined when the call is not
 * in a handler (no framework to answer with) or its statement cannot be wrapped.
 */
export function withConditionFailure(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall, callEdits: TextEdit[], status: 404 | 409): TextEdit[] | undefined {
  const h = fnFacts.handler;
  const stmt = call.statement;
  if (!h || (stmt.type !== 'expression_statement' && stmt.type !== 'return_statement')) return undefined;
  const exc = conditionException(facts, call);
  if (!exc) return undefined;
  if (alreadyMapped(facts, stmt)) return callEdits;
  const b = new EditBuilder(facts);
  if (!b.startsLine(stmt) || b.line(stmt.endRow).slice(stmt.endCol).trim() !== '') return undefined;
  // Edits must lie within the statement's lines to be re-indented with it.
  if (callEdits.some((e) => e.range.start.line < stmt.startRow || e.range.end.line > stmt.endRow)) return undefined;
  const lastLine = b.line(stmt.endRow);
  const original: string[] = [];
  for (let r = stmt.startRow; r <= stmt.endRow; r++) original.push(b.line(r));
  const shifted = callEdits.map((e) => ({
    range: { start: at(e.range.start.line - stmt.startRow, e.range.start.character), end: at(e.range.end.line - stmt.startRow, e.range.end.character) },
    newText: e.newText,
  }));
  const indent = b.indentOf(stmt.startRow);
  const unit = b.indentUnit();
  const body = applyLocal(original, shifted).split('\n').map((l) => (l.trim() ? unit + l : l));
  const deny = denyLines(h.framework, b, facts, status);
  if (!deny.lines.length) return undefined;
  const text = [`${indent}try:`, ...body, `${indent}except ${exc}:`, ...deny.lines.map((l) => indent + unit + l)].join('\n');
  const edits: TextEdit[] = [{ range: { start: at(stmt.startRow, 0), end: at(stmt.endRow, lastLine.length) }, newText: text }];
  for (const e of deny.edits) if (e) edits.push(e);
  return edits;
}

/** Apply edits given in (line, character) of `lines` (the analyzer's applyEdits, local to avoid an import cycle). */
function applyLocal(lines: string[], edits: TextEdit[]): string {
  const text = lines.join('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

/** The statement already sits in a `try` that handles a refused condition (an earlier fix, or by hand). */
function alreadyMapped(facts: FileFacts, stmt: SyntaxNode): boolean {
  const tryStmt = stmt.parent?.type === 'block' ? stmt.parent.parent : undefined;
  if (tryStmt?.type !== 'try_statement') return false;
  return tryStmt.children.some((c) => c.type === 'except_clause' && /ConditionalCheckFailed/.test(textOf(facts.text, c).split('\n')[0]!));
}
