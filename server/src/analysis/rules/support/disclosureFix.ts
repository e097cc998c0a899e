import { EditBuilder, insertAt, mergeInsertions, pyString, replaceNode } from '../../fixes/edits';
import type { FileFacts } from '../../model/facts';
import { textOf, type FunctionInfo } from '../../model/module';
import { statusFromName } from '../../model/names';
import { field, visit, type SyntaxNode } from '../../parse/syntax';
import type { Fix, TextEdit } from '../../types';

// DG204's fix: a generic message instead of the exception text, and the exception logged instead.

const MESSAGES: Record<number, string> = { 400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict', 422: 'Invalid request', 429: 'Too many requests' };
const LOGGER_NAMES = ['logger', 'log', 'LOGGER', 'LOG', '_logger', '_log'];

function statusOf(text: string, expr: SyntaxNode): number | undefined {
  let status: number | undefined;
  visit(expr, (n) => {
    if (status !== undefined) return false;
    const s = n.type === 'integer' ? Number(textOf(text, n)) : n.type === 'attribute' ? statusFromName(textOf(text, n)) : undefined;
    if (s !== undefined && s >= 400 && s < 600) status = s;
    return true;
  });
  return status;
}

function loggerName(facts: FileFacts): string | undefined {
  for (const st of facts.module.statements) {
    const a = st.children[0];
    const left = a?.type === 'assignment' ? field(a, 'left') : undefined;
    if (left && LOGGER_NAMES.includes(textOf(facts.text, left)) && /get_?logger|Logger\(/i.test(textOf(facts.text, field(a!, 'right') ?? left))) return textOf(facts.text, left);
  }
  return ['logger', 'LOGGER'].find((n) => facts.module.imports.has(n));
}

/** `import logging` in sorted position among the top-level `import x` lines (stdlib first, as isort would). */
function importLogging(facts: FileFacts, b: EditBuilder): TextEdit {
  const top = facts.module.importNodes.filter((n) => n.startCol === 0 && n.parent === null);
  const plain = top.filter((n) => n.type === 'import_statement');
  const after = plain.find((n) => textOf(facts.text, n).slice(7) > 'logging') ?? (plain.length ? undefined : top[0]);
  if (after) return insertAt(after.startRow, 0, 'import logging\n');
  const last = plain[plain.length - 1];
  // Every import nested (in `try:`, under `if TYPE_CHECKING`): a new line after the docstring.
  return last ? insertAt(last.endRow + 1, 0, 'import logging\n') : b.insertTopLevelLines(['import logging']);
}

export function disclosureFix(facts: FileFacts, fn: FunctionInfo, stmt: SyntaxNode, expr: SyntaxNode, anchors: SyntaxNode[], errParam?: string): Fix | undefined {
  const b = new EditBuilder(facts);
  const status = statusOf(facts.text, expr) ?? 500;
  const message = MESSAGES[status] ?? (status < 500 ? 'Invalid request' : 'Internal server error');
  const edits = anchors.map((a) => replaceNode(a, pyString(message, facts)));
  // Only simple statements before it in the same block count: a log call inside an earlier `if` may not run.
  const siblings = stmt.parent?.children.filter((c) => c.end <= stmt.start && c.type === 'expression_statement') ?? [];
  if (!siblings.some((c) => /\.exception\(|exc_info|print_exc|capture_exception/.test(textOf(facts.text, c)))) {
    const logger = loggerName(facts);
    const call = `${logger ?? 'logging'}.${errParam ? 'error' : 'exception'}(${pyString(`${fn.name} failed`, facts)}${errParam ? `, exc_info=${errParam}` : ''})`;
    const log = b.insertLinesBefore(stmt, [call]);
    if (!log) return undefined;
    edits.push(log);
    if (!logger && !facts.module.imports.has('logging')) edits.push(importLogging(facts, b));
  }
  return { title: `Return "${message}" and log the exception`, edits: mergeInsertions(edits), isPreferred: true, safe: true };
}

