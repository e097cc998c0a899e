import type { FileFacts, Framework, FunctionFacts } from '../model/facts';
import { enumClasses } from '../model/flow';
import { textOf } from '../model/module';
import type { SyntaxNode } from '../parse/syntax';
import type { Fix, TextEdit } from '../types';
import { EditBuilder, insertAt, mergeInsertions, pyString } from './edits';

// "Insert an allow-list check" (DG104, DG405): `if x not in ALLOWED_X: <400>` before the statement,
// with a module-level ALLOWED_X built from an Enum/Literal of the file when there is one.

export interface AllowListCheck {
  /** The checked expression: an identifier or `obj.attr` (what the analyzer can narrow). */
  expr: string;
  /** What the value is (`status`, `sort_key`): names the constant and the error message. */
  name: string;
}

export function upperSnake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').toUpperCase();
}

/** Is `expr` something a later `if expr not in ...` check is understood to validate? */
export function isCheckable(node: SyntaxNode, facts: FileFacts): boolean {
  if (node.type === 'identifier') return true;
  return node.type === 'attribute' && node.children[0]?.type === 'identifier' && !/\(/.test(textOf(facts.text, node));
}

/** The framework's 400: lines and the imports they need. */
export function badRequestLines(framework: Framework, b: EditBuilder, facts: FileFacts, message: string): { lines: string[]; edits: Array<TextEdit | undefined> } {
  const msg = pyString(message, facts);
  switch (framework) {
    case 'fastapi':
      return { lines: [`raise HTTPException(status_code=400, detail=${msg})`], edits: [b.ensureImport('fastapi', 'HTTPException')] };
    case 'flask':
      return { lines: ['abort(400)'], edits: [b.ensureImport('flask', 'abort')] };
    case 'chalice':
      return { lines: [`raise BadRequestError(${msg})`], edits: [b.ensureImport('chalice', 'BadRequestError')] };
    case 'lambda':
      return {
        lines: [`return {${pyString('statusCode', facts)}: 400, ${pyString('body', facts)}: json.dumps({${pyString('message', facts)}: ${msg}})}`],
        edits: [b.isBound('json') ? undefined : b.insertTopLevelLines(['import json'])],
      };
    default:
      return { lines: [], edits: [] };
  }
}

/** Members of an Enum or `Literal` alias of the file whose name matches `name` (`status` ~ `OrderStatus`). */
function knownValues(facts: FileFacts, name: string): { value: string; after?: SyntaxNode } | undefined {
  const want = name.replace(/_/g, '').toLowerCase();
  const matches = (n: string) => {
    const base = n.toLowerCase().replace(/_/g, '');
    return base.endsWith(want) || base.replace(/(enum|literal|type|t)$/, '').endsWith(want);
  };
  for (const cls of enumClasses({ text: facts.text, structure: facts.module })) {
    if (matches(cls)) return { value: `{m.value for m in ${cls}}`, after: facts.module.classes.get(cls)!.node };
  }
  for (const stmt of facts.module.statements) {
    const m = /^(\w+)\s*(?::[^=\n]*)?=\s*(?:typing\.)?Literal\[([\s\S]*)\]\s*$/.exec(textOf(facts.text, stmt));
    if (m && matches(m[1]!)) return { value: `{${m[2]!.trim()}}`, after: stmt };
  }
  return undefined;
}

/**
 * One fix inserting an allow-list check for each value before `statement`. Safe when every
 * allow-list is known (an existing ALLOWED_X constant, an Enum or Literal of the file); with an
 * empty `set()` and a TODO the check would reject every request until someone fills it in.
 */
export function allowListFix(facts: FileFacts, fnFacts: FunctionFacts, statement: SyntaxNode, checks: AllowListCheck[]): Fix | undefined {
  const h = fnFacts.handler;
  if (!h || !checks.length) return undefined;
  const b = new EditBuilder(facts);
  const unit = b.indentUnit();
  const edits: Array<TextEdit | undefined> = [];
  const lines: string[] = [];
  const names: string[] = [];
  let safe = true;
  for (const c of checks) {
    const constName = `ALLOWED_${upperSnake(c.name)}`;
    if (names.includes(constName)) continue;
    names.push(constName);
    if (!b.isBound(constName)) {
      const known = knownValues(facts, c.name);
      if (!known) safe = false;
      const def = `${constName} = ${known?.value ?? 'set()  # TODO: list the accepted values'}`;
      // After the Enum/alias it is built from (module constants above it would not see it).
      edits.push(known?.after ? insertAt(known.after.endRow + 1, 0, `${known.after.type === 'expression_statement' ? '\n' : '\n\n'}${def}\n`) : b.insertTopLevelLines([def], true));
    }
    const deny = badRequestLines(h.framework, b, facts, `Invalid ${c.name}`);
    edits.push(...deny.edits);
    lines.push(`if ${c.expr} not in ${constName}:`, ...deny.lines.map((l) => unit + l));
  }
  const guard = b.insertLinesBefore(statement, lines);
  if (!guard) return undefined;
  return {
    title: `Insert an allow-list check: ${checks.map((c) => `${c.expr} in ${`ALLOWED_${upperSnake(c.name)}`}`).join(', ')}`,
    edits: mergeInsertions([...edits, guard]),
    isPreferred: true,
    safe,
  };
}
