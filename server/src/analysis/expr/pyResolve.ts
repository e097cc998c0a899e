import { field, type SyntaxNode } from '../parse/syntax';
import { decodeLiteral, isStringLiteral, unparenthesize, type DecodedLiteral } from './pyLiteral';

// Static resolution of the Python values an expression check needs: the string literal bound to
// a name a few lines above the call (`expr = "SET #n = :n"`), and the entries of a dict built in
// a variable (`vals = {...}; vals[":x"] = ...`). Deliberately conservative: whenever a name could
// hold something else (several bindings, a binding that may not have run, a mutation we do not
// model such as `.update()` or a loop with computed keys), the answer is "not known".

export interface Scope {
  /** The function definition the call is in, if any. */
  fn?: SyntaxNode;
  /** Top-level statements of the module (not defs, classes or imports). */
  module: SyntaxNode[];
  /** Every top-level unit, functions included (where a module-level dict could be mutated). */
  units: SyntaxNode[];
  doc: string;
}

export interface DictEntrySite {
  key: string;
  keyNode: SyntaxNode;
  valueNode: SyntaxNode;
  /** Constant string value (ExpressionAttributeNames values). */
  value?: string;
  /** The `pair` in a dict literal, the `x["k"] = v` statement, or a `dict(k=v)` keyword argument. */
  holder: SyntaxNode;
  holderKind: 'pair' | 'subscript' | 'keyword';
}

export interface ResolvedDict {
  entries: DictEntrySite[];
  /** No key other than `entries` can be present. */
  complete: boolean;
  /** The dict literal the entries (mostly) come from. */
  literal?: SyntaxNode;
}

const SCOPE_NODES = new Set(['function_definition', 'class_definition', 'lambda', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);
const MAX_DEPTH = 6;

/** Identifier nodes named `name` in `root`, not descending into nested scopes. */
function occurrences(root: SyntaxNode, name: string, doc: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n !== root && SCOPE_NODES.has(n.type)) {
      // A nested def/class binds its own name in this scope; its body is another scope.
      const nm = field(n, 'name');
      if (nm && nm.type === 'identifier' && doc.slice(nm.start, nm.end) === name && n.type !== 'lambda') out.push(nm);
      continue;
    }
    if (n.type === 'identifier' && n.end - n.start === name.length && doc.slice(n.start, n.end) === name) {
      const p = n.parent;
      // `f(name=...)` and `obj.name` are not references to the variable.
      if (p && ((p.type === 'keyword_argument' && n.field === 'name') || (p.type === 'attribute' && n.field === 'attribute'))) continue;
      out.push(n);
      continue;
    }
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

/** Every identifier named `name` in `root`, nested scopes included. */
function allIdentifiers(root: SyntaxNode, name: string, doc: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'identifier') {
      const p = n.parent;
      const isName = p && ((p.type === 'keyword_argument' && n.field === 'name') || (p.type === 'attribute' && n.field === 'attribute'));
      if (!isName && doc.slice(n.start, n.end) === name) out.push(n);
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
  return out;
}

type Occurrence =
  | { kind: 'assign'; node: SyntaxNode; rhs: SyntaxNode; statement: SyntaxNode }
  | { kind: 'binding'; node: SyntaxNode }
  | { kind: 'use'; node: SyntaxNode };

const PATTERN_PARENTS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'as_pattern_target', 'list_splat_pattern', 'dictionary_splat_pattern', 'global_statement', 'nonlocal_statement', 'delete_statement', 'aliased_import', 'dotted_name', 'parameters', 'lambda_parameters']);
const PARAM_PARENTS = new Set(['default_parameter', 'typed_parameter', 'typed_default_parameter']);

function classify(n: SyntaxNode): Occurrence {
  const p = n.parent;
  if (!p) return { kind: 'use', node: n };
  if (p.type === 'assignment' && n.field === 'left') {
    let rhs = field(p, 'right');
    while (rhs?.type === 'assignment') rhs = field(rhs, 'right');
    const statement = p.parent?.type === 'expression_statement' ? p.parent : p;
    return rhs ? { kind: 'assign', node: n, rhs, statement } : { kind: 'binding', node: n };
  }
  if (p.type === 'augmented_assignment' && n.field === 'left') return { kind: 'binding', node: n };
  if ((p.type === 'for_statement' || p.type === 'for_in_clause') && n.field === 'left') return { kind: 'binding', node: n };
  if (p.type === 'named_expression' && n.field === 'name') return { kind: 'binding', node: n };
  if (PARAM_PARENTS.has(p.type) && n.field !== 'value') return { kind: 'binding', node: n };
  if (PATTERN_PARENTS.has(p.type)) return { kind: 'binding', node: n };
  if ((p.type === 'function_definition' || p.type === 'class_definition') && n.field === 'name') return { kind: 'binding', node: n };
  if ((p.type === 'tuple' || p.type === 'list') && p.field === 'left') return { kind: 'binding', node: n };
  return { kind: 'use', node: n };
}

function isAncestor(a: SyntaxNode, n: SyntaxNode): boolean {
  for (let p: SyntaxNode | null = n; p; p = p.parent) if (p === a) return true;
  return false;
}

interface Bindings {
  occurrences: Occurrence[];
  /** The single plain assignment that certainly ran before `at`, when there is exactly one binding. */
  single?: Extract<Occurrence, { kind: 'assign' }>;
  /** Where the bindings were found. */
  where: 'function' | 'module' | 'none';
}

function bindingsOf(name: string, scope: Scope, at: SyntaxNode): Bindings {
  if (scope.fn) {
    const occ = occurrences(scope.fn, name, scope.doc).filter((o) => o !== field(scope.fn!, 'name')).map(classify);
    const binds = occ.filter((o) => o.kind !== 'use');
    if (binds.length) {
      const out: Bindings = { occurrences: occ, where: 'function' };
      const only = binds.length === 1 ? binds[0]! : undefined;
      // The assignment must have run: before the call, in a block that encloses the call.
      if (only?.kind === 'assign' && only.statement.end <= at.start && only.statement.parent && isAncestor(only.statement.parent, at)) out.single = only;
      return out;
    }
  }
  const occ: Occurrence[] = [];
  for (const stmt of scope.module) occ.push(...occurrences(stmt, name, scope.doc).map(classify));
  const binds = occ.filter((o) => o.kind !== 'use');
  if (!binds.length) return { occurrences: occ, where: 'none' };
  const out: Bindings = { occurrences: occ, where: 'module' };
  const only = binds.length === 1 ? binds[0]! : undefined;
  // Mirrored top-level statements have no parent: only an unconditional module-level binding counts.
  if (only?.kind === 'assign' && only.statement.parent === null) out.single = only;
  return out;
}

/** The string literal an expression argument denotes: the node itself or the literal a name is bound to. */
export function resolveStringLiteral(node: SyntaxNode, scope: Scope, at: SyntaxNode, depth = 0): { literal: DecodedLiteral; node: SyntaxNode } | undefined {
  const n = unparenthesize(node);
  if (isStringLiteral(n)) {
    const literal = decodeLiteral(n, scope.doc);
    return literal ? { literal, node: n } : undefined;
  }
  if (n.type !== 'identifier' || depth > MAX_DEPTH) return undefined;
  const b = bindingsOf(scope.doc.slice(n.start, n.end), scope, at);
  if (!b.single) return undefined;
  return resolveStringLiteral(b.single.rhs, scope, b.single.statement, depth + 1);
}

/** A constant string (dict key or ExpressionAttributeNames value). */
export function resolveConstant(node: SyntaxNode, scope: Scope, at: SyntaxNode): string | undefined {
  const r = resolveStringLiteral(node, scope, at);
  if (!r || r.literal.holes.length) return undefined;
  return r.literal.text;
}

const READ_METHODS = new Set(['get', 'items', 'keys', 'values', 'copy', '__contains__', '__getitem__']);
const HARMLESS_CALLS = /^(len|bool|print|repr|str|json\.dumps|log(ger|ging)?\.\w+)$/;
const EXPRESSION_KWARGS = /^(ExpressionAttributeNames|ExpressionAttributeValues)$/;

/**
 * Entries of a dict argument: a literal (with `**` splats of resolvable dicts), `dict(k=v)`, or a
 * name bound once to one of those and then only extended by `name["constant"] = value` before
 * the call.
 */
export function resolveDict(node: SyntaxNode, scope: Scope, at: SyntaxNode, depth = 0): ResolvedDict | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const n = unparenthesize(node);
  const doc = scope.doc;
  if (n.type === 'dictionary') {
    const out: ResolvedDict = { entries: [], complete: true, literal: n };
    for (const c of n.children) {
      if (c.type === 'pair') {
        const k = field(c, 'key');
        const v = field(c, 'value');
        const key = k ? resolveConstant(k, scope, at) : undefined;
        if (!k || !v || key === undefined) {
          out.complete = false;
          continue;
        }
        const value = resolveConstant(v, scope, at);
        out.entries.push({ key, keyNode: k, valueNode: v, holder: c, holderKind: 'pair', ...(value !== undefined ? { value } : {}) });
      } else if (c.type === 'dictionary_splat') {
        const inner = c.children.find((x) => x.named);
        const r = inner ? resolveDict(inner, scope, at, depth + 1) : undefined;
        if (!r) out.complete = false;
        else {
          out.entries.push(...r.entries);
          if (!r.complete) out.complete = false;
        }
      } else if (c.named) {
        out.complete = false; // comprehension pieces, errors
      }
    }
    return out;
  }
  if (n.type === 'call' && doc.slice(field(n, 'function')?.start ?? 0, field(n, 'function')?.end ?? 0) === 'dict') {
    const out: ResolvedDict = { entries: [], complete: true };
    for (const a of field(n, 'arguments')?.children ?? []) {
      if (a.type === 'keyword_argument') {
        const k = field(a, 'name')!;
        const v = field(a, 'value')!;
        const value = resolveConstant(v, scope, at);
        out.entries.push({ key: doc.slice(k.start, k.end), keyNode: k, valueNode: v, holder: a, holderKind: 'keyword', ...(value !== undefined ? { value } : {}) });
      } else if (a.named) {
        const r = a.type === 'dictionary_splat' ? undefined : resolveDict(a, scope, at, depth + 1);
        if (!r) out.complete = false;
        else {
          out.entries.push(...r.entries);
          if (!r.complete) out.complete = false;
        }
      }
    }
    return out;
  }
  if (n.type !== 'identifier') return undefined;
  const name = doc.slice(n.start, n.end);
  const b = bindingsOf(name, scope, at);
  if (!b.single) return undefined;
  const base = resolveDict(b.single.rhs, scope, b.single.statement, depth + 1);
  if (!base) return undefined;
  const out: ResolvedDict = { entries: [...base.entries], complete: base.complete };
  if (base.literal) out.literal = base.literal;
  let uses = b.occurrences.filter((o) => o.kind === 'use' && o.node !== n).map((o) => o.node);
  if (b.where === 'module') {
    // A module-level dict may be changed by any function: look everywhere (shadowing only makes us quieter).
    const binding = b.single.node;
    uses = scope.units.flatMap((u) => allIdentifiers(u, name, doc)).filter((x) => x !== n && x !== binding);
  }
  for (const u of uses) {
    const effect = useEffect(u, scope, at);
    if (effect === 'unknown') out.complete = false;
    else if (effect !== 'read') out.entries.push(effect);
  }
  return out;
}

/** What a use of a dict variable does to it: nothing, adds one known entry, or something we cannot model. */
function useEffect(id: SyntaxNode, scope: Scope, at: SyntaxNode): 'read' | 'unknown' | DictEntrySite {
  const doc = scope.doc;
  const p = id.parent;
  if (!p) return 'unknown';
  if (p.type === 'subscript' && id.field === 'value') {
    const gp = p.parent;
    if (gp?.type === 'assignment' && p.field === 'left') {
      const statement = gp.parent?.type === 'expression_statement' ? gp.parent : gp;
      // Entries added after the call may have been added before it in a loop; stay silent.
      if (statement.start >= at.start) return 'unknown';
      const k = field(p, 'subscript');
      const v = field(gp, 'right');
      const key = k ? resolveConstant(k, scope, at) : undefined;
      if (!k || !v || key === undefined) return 'unknown';
      const value = resolveConstant(v, scope, at);
      return { key, keyNode: k, valueNode: v, holder: statement, holderKind: 'subscript', ...(value !== undefined ? { value } : {}) };
    }
    if (gp?.type === 'augmented_assignment' && p.field === 'left') return 'read';
    if (gp?.type === 'delete_statement') return 'unknown';
    return 'read';
  }
  if (p.type === 'attribute' && id.field === 'object') {
    const attr = field(p, 'attribute');
    return attr && READ_METHODS.has(doc.slice(attr.start, attr.end)) ? 'read' : 'unknown';
  }
  if (p.type === 'keyword_argument' && id.field === 'value') {
    const kw = field(p, 'name');
    return kw && EXPRESSION_KWARGS.test(doc.slice(kw.start, kw.end)) ? 'read' : 'unknown';
  }
  if (p.type === 'dictionary_splat' || p.type === 'list_splat') return 'read';
  if (p.type === 'argument_list') {
    const callee = p.parent ? field(p.parent, 'function') : undefined;
    return callee && HARMLESS_CALLS.test(doc.slice(callee.start, callee.end)) ? 'read' : 'unknown';
  }
  if (['not_operator', 'boolean_operator', 'comparison_operator', 'if_statement', 'while_statement', 'return_statement', 'conditional_expression'].includes(p.type)) return 'read';
  return 'unknown';
}

const MAX_POOL = 64;

/**
 * The constant pieces an expression string is assembled from at run time, when nothing else can
 * reach it: literals joined by `+`, and `"sep".join(parts)` over a list bound once in the function
 * (`parts = []`) and only extended by `parts.append("<literal>")`. Which pieces end up in the
 * string is not known, only that every placeholder it holds is in one of them; undefined when
 * any piece is not a constant.
 */
export function resolveStringPool(node: SyntaxNode, scope: Scope, at: SyntaxNode, depth = 0): string[] | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const n = unparenthesize(node);
  const doc = scope.doc;
  const lit = resolveStringLiteral(n, scope, at);
  if (lit) return lit.literal.holes.length ? undefined : [lit.literal.text];
  if (n.type === 'binary_operator' && doc.slice(field(n, 'operator')?.start ?? 0, field(n, 'operator')?.end ?? 0) === '+') {
    const l = resolveStringPool(field(n, 'left')!, scope, at, depth + 1);
    const r = l && resolveStringPool(field(n, 'right')!, scope, at, depth + 1);
    return r && l.length + r.length <= MAX_POOL ? [...l, ...r] : undefined;
  }
  if (n.type === 'identifier') {
    const b = bindingsOf(doc.slice(n.start, n.end), scope, at);
    return b.single ? resolveStringPool(b.single.rhs, scope, b.single.statement, depth + 1) : undefined;
  }
  if (n.type !== 'call') return undefined;
  const fn = field(n, 'function');
  const args = field(n, 'arguments')?.children.filter((c) => c.named) ?? [];
  if (fn?.type !== 'attribute' || doc.slice(field(fn, 'attribute')!.start, field(fn, 'attribute')!.end) !== 'join' || args.length !== 1) return undefined;
  const sep = resolveStringPool(field(fn, 'object')!, scope, at, depth + 1);
  const pieces = sep && args[0]!.type === 'identifier' ? listPieces(args[0]!, scope, at) : undefined;
  return sep && pieces && sep.length + pieces.length <= MAX_POOL ? [...sep, ...pieces] : undefined;
}

/** The constant strings a list variable can hold: `xs = [...]` then only `xs.append("...")`. */
function listPieces(id: SyntaxNode, scope: Scope, at: SyntaxNode): string[] | undefined {
  const doc = scope.doc;
  if (!scope.fn) return undefined;
  const b = bindingsOf(doc.slice(id.start, id.end), scope, at);
  if (!b.single || b.where !== 'function') return undefined;
  const init = unparenthesize(b.single.rhs);
  if (init.type !== 'list') return undefined;
  const out: string[] = [];
  for (const c of init.children) {
    if (!c.named) continue;
    const s = resolveConstant(c, scope, at);
    if (s === undefined) return undefined;
    out.push(s);
  }
  for (const o of b.occurrences) {
    if (o.kind !== 'use' || o.node === id) continue;
    const p = o.node.parent;
    const method = p?.type === 'attribute' && o.node.field === 'object' ? doc.slice(field(p, 'attribute')!.start, field(p, 'attribute')!.end) : undefined;
    const call = p?.parent?.type === 'call' ? p.parent : undefined;
    if (method === 'append' && call) {
      const a = field(call, 'arguments')?.children.filter((c) => c.named) ?? [];
      const s = a.length === 1 ? resolveConstant(a[0]!, scope, at) : undefined;
      if (s === undefined || out.length >= MAX_POOL) return undefined;
      out.push(s);
      continue;
    }
    // Reading it (`if not parts:`, `len(parts)`) leaves the pieces as they are.
    if (p && (['not_operator', 'boolean_operator', 'comparison_operator', 'if_statement'].includes(p.type) || (p.type === 'argument_list' && /^len$/.test(doc.slice(field(p.parent!, 'function')?.start ?? 0, field(p.parent!, 'function')?.end ?? 0))))) continue;
    return undefined;
  }
  return out;
}
