import { textOf, type ModuleStructure } from '../../model/module';
import { field, visit, type SyntaxNode } from '../../parse/syntax';

// Where exception text sits inside an expression (for DG204). The model says *that* error text
// reaches a return/raise (`Value.error`); this finds *which* sub-expression carries it, so the
// finding can point at it and the fix can replace exactly that.

/** 'exc': an exception object (`except E as e`); 'text': a string already made from one (`msg = str(e)`). */
export type ErrorKind = 'exc' | 'text';

const TEXT_ATTRS = /^(response|args|message|msg|detail|strerror|reason|errors|description|operation_name)$/;
const STRINGIFY = /^(str|repr|format|ascii)$/;
const TRACEBACK = /^traceback\.(format_exc|format_exception|format_tb|format_stack)$/;
const CLIENT_FACING = /ValidationError$/;

function qualified(text: string, structure: ModuleStructure, node: SyntaxNode): string {
  const dotted = textOf(text, node);
  const head = dotted.split('.')[0]!;
  const imp = structure.imports.get(head);
  return imp ? imp.qualified + dotted.slice(head.length) : dotted;
}

/** Skip nested functions and classes: their bodies are analysed on their own. */
function walk(root: SyntaxNode, fn: (n: SyntaxNode) => void): void {
  visit(root, (n) => {
    if (n !== root && (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda')) return false;
    fn(n);
    return true;
  });
}

function exceptAlias(clause: SyntaxNode): { alias?: SyntaxNode; types?: SyntaxNode } {
  const asp = clause.children.find((c) => c.type === 'as_pattern');
  if (asp) {
    const alias = asp.children.find((c) => c.type === 'as_pattern_target')?.children.find((c) => c.named);
    return { alias, types: asp.children.find((c) => c.named && c.type !== 'as_pattern_target') };
  }
  return { alias: clause.children.find((c) => c.field === 'alias'), types: clause.children.find((c) => c.named && c.type !== 'block') };
}

/** HTTP exceptions: their detail is the response the code chose to send. */
const HTTP_ERROR = /^(\w+\.)*(HTTPException|ChaliceViewError|(BadRequest|Unauthorized|Forbidden|NotFound|Conflict|TooManyRequests|UnprocessableEntity)(Error)?)$/;

/** Application exception classes whose messages are curated (`facts/errors.ts`, workspace-wide). */
export type CuratedTest = (type: string) => boolean;

function clientFacing(type: string, curated?: CuratedTest): boolean {
  return CLIENT_FACING.test(type) || HTTP_ERROR.test(type) || !!curated?.(type);
}

/** `e` inside `except OrderNotFound as e:` (the innermost clause binding it): a curated message. */
function caughtAsCurated(text: string, ref: SyntaxNode, curated?: CuratedTest): boolean {
  for (let p = ref.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type !== 'except_clause') continue;
    const { alias, types } = exceptAlias(p);
    if (!alias || textOf(text, alias) !== textOf(text, ref)) continue;
    const typeNames = types ? (types.type === 'tuple' ? types.children.filter((c) => c.named) : [types]).map((t) => textOf(text, t)) : [];
    return typeNames.length > 0 && typeNames.every((t) => clientFacing(t, curated));
  }
  return false;
}

/**
 * Names bound to exceptions or exception text in a function: `except ... as e` aliases (except
 * pydantic/marshmallow `*ValidationError`s, whose messages are written for API clients), the
 * given parameters (error handlers), and variables assigned from them (`msg = f"failed: {e}"`).
 */
export function errorNames(text: string, structure: ModuleStructure, body: SyntaxNode, params: string[] = [], curated?: CuratedTest): Map<string, ErrorKind> {
  const names = new Map<string, ErrorKind>(params.map((p) => [p, 'exc']));
  const assigns: SyntaxNode[] = [];
  walk(body, (n) => {
    if (n.type === 'except_clause') {
      const { alias, types } = exceptAlias(n);
      const typeNames = types ? (types.type === 'tuple' ? types.children.filter((c) => c.named) : [types]).map((t) => textOf(text, t)) : [];
      if (alias && !(typeNames.length && typeNames.every((t) => clientFacing(t, curated)))) names.set(textOf(text, alias), 'exc');
    } else if (n.type === 'assignment' && field(n, 'left')?.type === 'identifier' && field(n, 'right')) assigns.push(n);
  });
  // Two passes reach `msg = str(e)` then `body = {"error": msg}`; deeper chains are rare.
  for (let pass = 0; pass < 2; pass++) {
    for (const a of assigns) {
      const name = textOf(text, field(a, 'left')!);
      const right = field(a, 'right')!;
      if (names.has(name)) continue;
      if (right.type === 'identifier' && names.has(textOf(text, right))) names.set(name, names.get(textOf(text, right))!);
      else if (findErrorText(text, structure, right, names, curated).length) names.set(name, 'text');
    }
  }
  return names;
}

/**
 * Climb from an exception reference to the expression that turns it into response text:
 * `str(e)`, `f"failed: {e}"`, `e.response["Error"]["Message"]`, `"x" + str(e)`. Returns undefined
 * when the exception is only inspected (`isinstance(e, X)`, `e.response["Error"]["Code"] == ...`
 * is not text either way; `type(e).__name__` is the class name, not the message).
 */
function climb(text: string, start: SyntaxNode, isText: boolean): SyntaxNode | undefined {
  let n = start;
  for (let p = n.parent; p; n = p, p = p.parent) {
    if (p.type === 'attribute' && field(p, 'object') === n) {
      const attr = textOf(text, field(p, 'attribute')!);
      if (attr.startsWith('__')) return undefined;
      if (TEXT_ATTRS.test(attr)) isText = true;
    } else if (p.type === 'subscript' && field(p, 'value') === n) {
      // e.response["Error"] / e.args[0]
    } else if (p.type === 'call' && field(p, 'function') === n) {
      // e.response.get("Error") / "...".format
    } else if (p.type === 'argument_list' && p.parent?.type === 'call') {
      const callee = field(p.parent, 'function')!;
      const name = textOf(text, callee).split('.').pop()!;
      if (!STRINGIFY.test(name)) break;
      isText = true;
      p = p.parent;
    } else if (p.type === 'interpolation') {
      isText = true;
    } else if (p.type === 'binary_operator') {
      isText = true;
    } else if (p.type === 'comparison_operator' || p.type === 'not_operator') {
      return undefined;
    } else if (p.type !== 'string' && p.type !== 'parenthesized_expression' && p.type !== 'concatenated_string') {
      break;
    }
  }
  return isText ? n : undefined;
}

/** The outermost error-text sub-expressions of `expr`, in source order, never nested in one another. */
export function findErrorText(text: string, structure: ModuleStructure, expr: SyntaxNode, names: Map<string, ErrorKind>, curated?: CuratedTest): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  walk(expr, (n) => {
    let hit: SyntaxNode | undefined;
    if (n.type === 'identifier' && names.has(textOf(text, n))) {
      // Not the attribute name in `x.e` nor a keyword name in `f(e=1)`.
      if (n.field === 'attribute' || n.field === 'name') return;
      if (names.get(textOf(text, n)) === 'exc' && caughtAsCurated(text, n, curated)) return;
      hit = climb(text, n, names.get(textOf(text, n)) === 'text');
    } else if (n.type === 'call' && TRACEBACK.test(qualified(text, structure, field(n, 'function')!))) {
      hit = climb(text, n, true);
    }
    if (!hit) return;
    const h = hit;
    const last = out[out.length - 1];
    if (last && last.start <= h.start && h.end <= last.end) return;
    while (out.length && h.start <= out[out.length - 1]!.start && out[out.length - 1]!.end <= h.end) out.pop();
    out.push(h);
  });
  return out;
}

export function qualifiedCallee(text: string, structure: ModuleStructure, call: SyntaxNode): string {
  const f = field(call, 'function');
  return f ? qualified(text, structure, f) : '';
}
