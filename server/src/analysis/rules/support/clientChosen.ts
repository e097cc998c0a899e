import { EditBuilder, mergeInsertions, pyString } from '../../fixes/edits';
import type { FileFacts, Framework, FunctionFacts } from '../../model/facts';
import { textOf } from '../../model/module';
import { unvalidatedSources, type Source, type Value } from '../../model/values';
import { field, visit, type SyntaxNode } from '../../parse/syntax';
import type { Fix, TextEdit } from '../../types';

// DG405's helpers: is a request-derived name bounded by an allow-list before use, and the fix that
// inserts one. The model marks comprehension filters (`filtered`); checks written as statements
// (`if field not in ALLOWED: abort(400)`) are recognised here, syntactically.

const UPPER = /^[A-Z][A-Z0-9_]*$/;
const VALIDATOR = /^(validate|check|ensure|assert|verify|require)_|_(allowed|whitelisted|allowlisted)$|^is_(allowed|valid)/i;

export type ChoiceKind = 'IndexName' | 'TableName' | 'ProjectionExpression' | 'AttributesToGet' | 'ExpressionAttributeNames';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function mentions(text: string, name: string): boolean {
  return new RegExp(`(?<![\\w.])${escapeRe(name)}(?!\\w)`).test(text);
}

function isConstCollection(facts: FileFacts, n: SyntaxNode): boolean {
  if (n.type === 'identifier') return UPPER.test(textOf(facts.text, n));
  if (['set', 'list', 'tuple', 'set_comprehension', 'dictionary'].includes(n.type)) return true;
  if (n.type === 'attribute' || n.type === 'call') return /^[A-Z][A-Z0-9_]*\b|^(set|frozenset)\(/.test(textOf(facts.text, n));
  return false;
}

/** A condition that bounds a value: membership, equality with something real, subset/difference with a constant set. */
function boundsValue(facts: FileFacts, cond: SyntaxNode): boolean {
  let ok = false;
  visit(cond, (n) => {
    if (ok) return false;
    const operands = n.children.filter((c) => c.named);
    if (n.type === 'comparison_operator' && operands.length === 2) {
      const ops = n.children.filter((c) => !c.named).map((c) => c.type).join(' ');
      // `"field" in body` only tests presence: the value is still the caller's.
      if (ops === 'in' || ops === 'not in') ok = operands[0]!.type !== 'string';
      else if (ops === '==' || ops === '!=') ok = !operands.some((o) => /^(""|''|None|0)$/.test(textOf(facts.text, o)));
      else if (['<=', '<', '>=', '>'].includes(ops)) ok = operands.some((o) => isConstCollection(facts, o) && o.type !== 'list' && o.type !== 'tuple');
    } else if (n.type === 'binary_operator' && /^[-&]$/.test(n.children.find((c) => !c.named)?.type ?? '')) {
      ok = operands.some((o) => isConstCollection(facts, o));
    } else if (n.type === 'call' && /\.(issubset|issuperset|isdisjoint|difference|intersection)$/.test(textOf(facts.text, field(n, 'function')!))) {
      ok = true;
    }
    return undefined;
  });
  return ok;
}

function terminates(facts: FileFacts, block: SyntaxNode | undefined): boolean {
  return !!block?.children.some((s) => ['raise_statement', 'return_statement', 'continue_statement'].includes(s.type) ||
    (s.type === 'expression_statement' && s.children[0]?.type === 'call' && /(^|\.)(abort|exit)$/.test(textOf(facts.text, field(s.children[0], 'function')!))));
}

/** Conditions known to hold where `stmt` runs: earlier `if <c>: raise/abort/return` and enclosing `if <c>:`; also validator calls. */
function checksBefore(facts: FileFacts, stmt: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let n = stmt; n.parent && n.type !== 'function_definition'; n = n.parent) {
    const p = n.parent;
    if (p.type === 'block' || p.type === 'module') {
      for (const s of p.children) {
        if (s === n) break;
        if (s.type === 'if_statement' && terminates(facts, field(s, 'consequence')) && boundsValue(facts, field(s, 'condition')!)) out.push(field(s, 'condition')!);
        const call = s.type === 'expression_statement' ? s.children[0] : undefined;
        const callee = call?.type === 'call' ? textOf(facts.text, field(call, 'function')!).split('.').pop()! : '';
        if (VALIDATOR.test(callee)) out.push(field(call!, 'arguments')!);
      }
    }
    if (p.type === 'if_statement' && n.field === 'consequence' && boundsValue(facts, field(p, 'condition')!)) out.push(field(p, 'condition')!);
  }
  return out;
}

/** `FastAPI` parameters typed `Literal[...]` or with an Enum class: the framework rejects other values. */
function typedChoice(facts: FileFacts, fnFacts: FunctionFacts, src: Source): boolean {
  if (!src.id.startsWith('param:')) return false;
  const p = fnFacts.fn.params.find((x) => x.name === src.id.slice(6));
  const ann = p?.annotation ? textOf(facts.text, p.annotation).replace(/^Annotated\[\s*|^Optional\[\s*/g, '') : '';
  if (/^(typing\.)?Literal\[/.test(ann)) return true;
  const cls = facts.module.classes.get(ann.replace(/[\s,\]|][\s\S]*$/, ''));
  return !!cls?.bases.some((b) => /Enum\b/.test(textOf(facts.text, b)));
}

/** Local names an expression reads (not callees, attribute names, constants or module bindings). */
function localNames(facts: FileFacts, node: SyntaxNode): string[] {
  const out = new Set<string>();
  visit(node, (n) => {
    if (n.type === 'identifier' && n.field !== 'attribute' && !(n.field === 'function' && n.parent?.type === 'call')) {
      const t = textOf(facts.text, n);
      if (!UPPER.test(t) && !facts.globals.has(t) && !facts.module.imports.has(t)) out.add(t);
    }
  });
  return [...out];
}

/** `name = [f for f in wanted if f in ALLOWED]`, `name = set(wanted) & ALLOWED`: bounded where it is made. */
function boundedAssignment(facts: FileFacts, body: SyntaxNode, name: string): boolean {
  let ok = false;
  visit(body, (n) => {
    if (ok || n.type !== 'assignment' || textOf(facts.text, field(n, 'left') ?? n) !== name) return !ok;
    const right = field(n, 'right');
    if (!right) return false;
    if (/comprehension|generator/.test(right.type)) {
      ok = right.children.some((c) => (c.type === 'if_clause' && boundsValue(facts, c)) || (c.type === 'for_in_clause' && isConstCollection(facts, field(c, 'right')!)));
    } else ok = boundsValue(facts, right) && right.type === 'binary_operator';
    return false;
  });
  return ok;
}

/** The request source that makes this value client-chosen, or undefined when it is bounded. */
export function clientChosen(facts: FileFacts, fnFacts: FunctionFacts, v: Value, node: SyntaxNode, stmt: SyntaxNode, covered: ReadonlyArray<ReadonlySet<string>> = []): Source | undefined {
  if (v.filtered) return undefined;
  // The model's validation (`checked` values, `validated`/`verified` parameters) first.
  const open = unvalidatedSources(v, ...covered).filter((s) => !typedChoice(facts, fnFacts, s));
  if (!open.length) return undefined;
  // `INDEX_BY_SORT[sort]`, `COLUMNS.get(name)`: a lookup in a constant table picks among constants.
  const lookup = node.type === 'subscript' ? field(node, 'value') : node.type === 'call' ? field(field(node, 'function')!, 'object') : undefined;
  if (lookup && isConstCollection(facts, lookup) && lookup.type === 'identifier') return undefined;
  const checks = checksBefore(facts, stmt).map((c) => textOf(facts.text, c));
  if (checks.some((c) => mentions(c, textOf(facts.text, node)))) return undefined;
  const names = localNames(facts, node);
  if (names.length && names.every((n) => checks.some((c) => mentions(c, n)) || boundedAssignment(facts, fnFacts.fn.body, n))) return undefined;
  return open[0];
}

const SPEC: Record<ChoiceKind, { constName: string; what: string }> = {
  IndexName: { constName: 'ALLOWED_INDEXES', what: 'index' },
  TableName: { constName: 'ALLOWED_TABLES', what: 'table' },
  ProjectionExpression: { constName: 'ALLOWED_ATTRIBUTES', what: 'attribute' },
  AttributesToGet: { constName: 'ALLOWED_ATTRIBUTES', what: 'attribute' },
  ExpressionAttributeNames: { constName: 'ALLOWED_ATTRIBUTES', what: 'attribute' },
};

export function whatOf(kind: ChoiceKind): string {
  return SPEC[kind].what;
}

/** Values for the new allow-list and whether they are a deliberate list (safe) or a placeholder. */
function allowedValues(facts: FileFacts, kind: ChoiceKind): { values: string[]; safe: boolean } {
  const uniq = (re: RegExp) => [...new Set([...facts.text.matchAll(re)].map((m) => m[1]!))].sort();
  if (kind === 'IndexName') {
    // Index names the file declares (create_table/update_table) or already queries by constant.
    const values = uniq(/(?:["']IndexName["']\s*:|\bIndexName\s*=)\s*["']([\w.-]+)["']/g);
    return { values, safe: values.length > 0 };
  }
  if (kind === 'TableName') return { values: uniq(/(?:\.Table\(\s*|\bTableName\s*=\s*|["']TableName["']\s*:\s*)["']([\w.-]+)["']/g), safe: false };
  return { values: [...facts.settings.publicFields], safe: facts.settings.publicFields.length > 0 };
}

function denyLine(framework: Framework, b: EditBuilder, facts: FileFacts, what: string): { line: string; edits: Array<TextEdit | undefined> } {
  const msg = pyString(`Invalid ${what}`, facts);
  switch (framework) {
    case 'fastapi':
      return { line: `raise HTTPException(status_code=400, detail=${msg})`, edits: [b.ensureImport('fastapi', 'HTTPException')] };
    case 'flask':
      return { line: 'abort(400)', edits: [b.ensureImport('flask', 'abort')] };
    case 'chalice':
      return { line: `raise BadRequestError(${msg})`, edits: [b.ensureImport('chalice', 'BadRequestError')] };
    default:
      return {
        line: `return {${pyString('statusCode', facts)}: 400, ${pyString('body', facts)}: json.dumps({${pyString('message', facts)}: ${msg}})}`,
        edits: [b.isBound('json') ? undefined : b.insertTopLevelLines(['import json'])],
      };
  }
}

/** Insert `if <expr> not in ALLOWED_<X>: <400>` before the statement (and the constant at module level). */
export function allowListFix(facts: FileFacts, fnFacts: FunctionFacts, kind: ChoiceKind, node: SyntaxNode, stmt: SyntaxNode): Fix | undefined {
  const b = new EditBuilder(facts);
  const { constName, what } = SPEC[kind];
  let expr = textOf(facts.text, node);
  let shape: 'scalar' | 'list' | 'csv' = kind === 'AttributesToGet' ? 'list' : kind === 'ProjectionExpression' ? 'csv' : 'scalar';
  const fn = node.type === 'call' ? field(node, 'function') : undefined;
  if (shape === 'csv' && fn?.type === 'attribute' && textOf(facts.text, field(fn, 'attribute')!) === 'join') {
    const arg = field(node, 'arguments')?.children.filter((c) => c.named);
    if (arg?.length !== 1) return undefined;
    expr = textOf(facts.text, arg[0]!);
    shape = 'list';
  }
  // Names built by concatenation or an f-string (`f"{tenant}-orders"`) are checked whole.
  const kinds = shape === 'scalar' ? /^(identifier|attribute|subscript|call|binary_operator|string)$/ : /^(identifier|attribute|subscript|call|list)$/;
  if (/\n/.test(expr) || !kinds.test(node.type)) return undefined;
  const cond = shape === 'scalar' ? `${expr} not in ${constName}` : shape === 'list' ? `not set(${expr}) <= ${constName}` : `not {a.strip() for a in ${expr}.split(${pyString(',', facts)})} <= ${constName}`;
  const deny = denyLine(fnFacts.handler!.framework, b, facts, what);
  const edits: Array<TextEdit | undefined> = [...deny.edits];
  let safe = true;
  if (!b.isBound(constName)) {
    const v = allowedValues(facts, kind);
    safe = v.safe;
    const set = v.values.length ? `{${v.values.map((x) => pyString(x, facts)).join(', ')}}` : `set()  # TODO: list the ${what} names clients may choose`;
    edits.push(b.insertTopLevelLines([`${constName} = ${set}`], true));
  }
  edits.push(b.insertLinesBefore(stmt, [`if ${cond}:`, b.indentUnit() + deny.line]));
  if (!edits[edits.length - 1]) return undefined;
  return { title: `Check the ${what} name against ${constName}`, edits: mergeInsertions(edits), isPreferred: true, safe };
}
