import { textOf, type FunctionInfo } from '../../model/module';
import type { Value } from '../../model/values';
import { field, visit, type SyntaxNode } from '../../parse/syntax';

// How a string is assembled inside one function (for DG401): is it built (f-string, `%`, `+`,
// `.format`, `.join`) and from constants only? The model's `constant` is exact when it says yes
// but loses it through f-strings of loop variables and list appends, so this re-derives it from
// the syntax: a local is constant when every write to it is, a loop variable when it iterates a
// constant collection or sits under an allow-list check (`if k in ALLOWED:`).

export interface Build {
  /** Only constants flow in. */
  konst: boolean;
  /** f-string, `%`, `+`, `.format` or `.join` somewhere on the way. */
  built: boolean;
  /** The first non-constant part: an interpolation, an operand, a `.format`/`.join` argument. */
  bad?: SyntaxNode;
}

type Write =
  | { kind: 'value'; node: SyntaxNode }
  | { kind: 'elem'; node: SyntaxNode }
  | { kind: 'keys'; node: SyntaxNode }
  | { kind: 'key'; node: SyntaxNode }
  | { kind: 'konst' }
  | { kind: 'opaque' };

const KONST: Build = { konst: true, built: false };
const OPAQUE: Build = { konst: false, built: false };
const UPPER = /^[A-Z][A-Z0-9_]*$/;
const STR_METHODS = /^(strip|lstrip|rstrip|lower|upper|title|casefold|replace)$/;
const PASS_ITER = /^(sorted|list|tuple|set|frozenset|reversed)$/;
const DEFS = new Set(['function_definition', 'class_definition', 'lambda']);
const MAX_DEPTH = 200;
const CONTAINERS = new Set(['tuple', 'list', 'expression_list', 'parenthesized_expression']);

/** Call arguments; `f(x for x in y)` has the generator itself as its argument list. */
function argsOf(call: SyntaxNode): SyntaxNode[] {
  const list = field(call, 'arguments');
  if (!list) return [];
  return list.type === 'generator_expression' ? [list] : list.children.filter((c) => c.named);
}

export class StringBuilds {
  private writes?: Map<string, Write[]>;
  private readonly memo = new Map<string, Build>();
  private readonly keysMemo = new Map<string, boolean>();
  private readonly busy = new Set<string>();
  private depth = 0;

  constructor(private readonly text: string, private readonly fn: FunctionInfo, private readonly globals: Map<string, Value>) {}

  private t(n: SyntaxNode): string {
    return textOf(this.text, n);
  }

  analyze(node: SyntaxNode, scope: Map<string, Build> = new Map()): Build {
    // Bounded recursion: `"a" + "a" + ...` nests one binary_operator per term. Deeper than any
    // hand-written expression counts as not constant, which errs towards reporting.
    if (this.depth >= MAX_DEPTH) return OPAQUE;
    this.depth++;
    try {
      return this.analyzeNode(node, scope);
    } finally {
      this.depth--;
    }
  }

  private analyzeNode(node: SyntaxNode, scope: Map<string, Build>): Build {
    switch (node.type) {
      case 'string': {
        const parts = node.children.filter((c) => c.type === 'interpolation');
        if (!parts.length) return KONST;
        return this.combine(parts.map((p) => [p, this.analyze(field(p, 'expression') ?? p, scope)]), true);
      }
      case 'concatenated_string':
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
        return this.combine(node.children.filter((c) => c.named).map((c) => [c, this.analyze(c, scope)]), node.type === 'concatenated_string');
      case 'dictionary':
        return this.combine(node.children.filter((c) => c.type === 'pair').flatMap((p) => [field(p, 'key')!, field(p, 'value')!]).map((c) => [c, this.analyze(c, scope)]), false);
      case 'binary_operator':
        return this.combine([field(node, 'left')!, field(node, 'right')!].map((c) => [c, this.analyze(c, scope)]), true);
      case 'parenthesized_expression': {
        const inner = node.children.find((c) => c.named);
        return inner ? this.analyze(inner, scope) : OPAQUE;
      }
      case 'conditional_expression': {
        const parts = node.children.filter((c) => c.named);
        return this.combine([parts[0]!, parts[2]!].filter(Boolean).map((c) => [c, this.analyze(c, scope)]), false);
      }
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return KONST;
      case 'identifier':
        return this.identifier(node, scope);
      case 'attribute':
        // `Config.TABLE`, `Status.ACTIVE.value`: module/class constants by convention.
        // Pydantic field names (`Model.model_fields`, `body.model_fields_set`) are the model's, not the caller's.
        return /(^|\.)[A-Z][A-Z0-9_]*(\.(value|name))?$|\.(model_fields|__fields__|model_fields_set|__fields_set__)$/.test(this.t(node)) ? KONST : OPAQUE;
      case 'subscript': {
        const sub = field(node, 'subscript');
        return this.combine([field(node, 'value')!, ...(sub ? [sub] : [])].map((c) => [c, this.analyze(c, scope)]), false);
      }
      case 'call':
        return this.call(node, scope);
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
      case 'dictionary_comprehension': {
        const inner = this.comprehensionScope(node, scope);
        const body = field(node, 'body')!;
        const parts = body.type === 'pair' ? [field(body, 'key')!, field(body, 'value')!] : [body];
        return this.combine(parts.map((c) => [c, this.analyze(c, inner)]), false);
      }
      default:
        return OPAQUE;
    }
  }

  /** Join parts; `building` marks the node itself as string assembly. */
  private combine(parts: Array<[SyntaxNode, Build]>, building: boolean): Build {
    let konst = true;
    let built = building;
    let bad: SyntaxNode | undefined;
    for (const [node, b] of parts) {
      built ||= b.built;
      if (b.konst) continue;
      konst = false;
      // Point inside what was assembled (or inside a tuple of `%` arguments), not at the whole of it.
      bad ??= (b.built || CONTAINERS.has(node.type)) && b.bad ? b.bad : node;
    }
    return konst ? { konst, built } : { konst, built, bad: bad! };
  }

  private call(node: SyntaxNode, scope: Map<string, Build>): Build {
    const fnNode = field(node, 'function')!;
    const args = argsOf(node);
    const argBuilds = (): Array<[SyntaxNode, Build]> => args.map((a) => [a, this.analyze(a.type === 'keyword_argument' ? field(a, 'value')! : a, scope)]);
    if (fnNode.type === 'attribute') {
      const method = this.t(field(fnNode, 'attribute')!);
      const recv = field(fnNode, 'object')!;
      if (method === 'join' && args.length === 1) return this.combine([[recv, this.analyze(recv, scope)], [args[0]!, this.iterate(args[0]!, scope)]], true);
      if (method === 'format' || method === 'format_map') return this.combine([[recv, this.analyze(recv, scope)], ...argBuilds()], true);
      if (STR_METHODS.test(method)) return this.combine([[recv, this.analyze(recv, scope)], ...argBuilds()], false);
      return OPAQUE;
    }
    const name = this.t(fnNode);
    if (name === 'str' && args.length === 1) return this.analyze(args[0]!, scope);
    if (PASS_ITER.test(name) && args.length === 1) return this.iterate(args[0]!, scope);
    return OPAQUE;
  }

  /** What iterating `node` yields (elements of a collection). */
  iterate(node: SyntaxNode, scope: Map<string, Build>): Build {
    if (node.type === 'call') {
      const fnNode = field(node, 'function')!;
      const args = argsOf(node);
      const method = fnNode.type === 'attribute' ? this.t(field(fnNode, 'attribute')!) : '';
      if (method === 'keys' && !args.length) return this.keysOf(field(fnNode, 'object')!, scope) ? KONST : OPAQUE;
      if ((method === 'items' || method === 'values') && !args.length) return this.analyze(field(fnNode, 'object')!, scope);
      const name = this.t(fnNode);
      if (name === 'range') return KONST;
      if ((name === 'enumerate' || name === 'zip') && args[0]) return this.combine(args.map((a) => [a, this.iterate(a, scope)]), false);
      if (PASS_ITER.test(name) && args[0]) return this.iterate(args[0], scope);
    }
    if (node.type === 'dictionary' || node.type === 'dictionary_comprehension' || (node.type === 'identifier' && this.isDictLike(node))) {
      return this.keysOf(node, scope) ? KONST : OPAQUE;
    }
    return this.analyze(node, scope);
  }

  private isDictLike(node: SyntaxNode): boolean {
    const ws = this.writesOf(this.t(node));
    return !!ws?.some((w) => w.kind === 'key' || (w.kind === 'value' && (w.node.type === 'dictionary' || w.node.type === 'dictionary_comprehension')));
  }

  /** Are the keys of the dict `node` constant (a dict literal, a comprehension filtered by an allow-list...)? */
  keysOf(node: SyntaxNode, scope: Map<string, Build>): boolean {
    if (node.type === 'dictionary') return node.children.filter((c) => c.type === 'pair').every((p) => this.analyze(field(p, 'key')!, scope).konst);
    if (node.type === 'dictionary_comprehension') {
      const body = field(node, 'body')!;
      return this.analyze(body.type === 'pair' ? field(body, 'key')! : body, this.comprehensionScope(node, scope)).konst;
    }
    if (node.type !== 'identifier' || scope.has(this.t(node))) return this.analyze(node, scope).konst;
    const name = this.t(node);
    const ws = this.writesOf(name);
    if (!ws) return this.analyze(node, scope).konst;
    const cached = this.keysMemo.get(name);
    if (cached !== undefined) return cached;
    if (this.busy.has('keys:' + name)) return true;
    this.busy.add('keys:' + name);
    const ok = ws.every((w) => (w.kind === 'key' ? this.analyze(w.node).konst : w.kind === 'value' || w.kind === 'keys' ? this.keysOf(w.node, new Map()) : w.kind === 'konst'));
    this.busy.delete('keys:' + name);
    this.keysMemo.set(name, ok);
    return ok;
  }

  private comprehensionScope(node: SyntaxNode, outer: Map<string, Build>): Map<string, Build> {
    const scope = new Map(outer);
    for (const c of node.children) {
      if (c.type === 'for_in_clause') {
        for (const [tg, w] of this.loopWrites(field(c, 'left')!, field(c, 'right')!)) {
          if (tg.type === 'identifier') scope.set(this.t(tg), this.evalWrite(w, scope).konst ? KONST : OPAQUE);
        }
      } else if (c.type === 'if_clause') {
        const cond = c.children.find((x) => x.named);
        if (cond) for (const name of this.allowListed(cond, scope)) scope.set(name, KONST);
      }
    }
    return scope;
  }

  /** What each target of `for <left> in <right>` receives: `.items()` splits keys from values. */
  private loopWrites(left: SyntaxNode, right: SyntaxNode): Array<[SyntaxNode, Write]> {
    const targets = left.type === 'identifier' ? [left] : left.children.filter((c) => c.named);
    const f = right.type === 'call' ? field(right, 'function')! : undefined;
    const method = f?.type === 'attribute' ? this.t(field(f, 'attribute')!) : f ? this.t(f) : '';
    const arg0 = right.type === 'call' ? argsOf(right)[0] : undefined;
    return targets.map((tg, i): [SyntaxNode, Write] => {
      if (method === 'items' && targets.length === 2) return [tg, i === 0 ? { kind: 'keys', node: field(f!, 'object')! } : { kind: 'value', node: field(f!, 'object')! }];
      if (method === 'enumerate' && targets.length === 2 && arg0) return [tg, i === 0 ? { kind: 'konst' } : { kind: 'elem', node: arg0 }];
      return [tg, { kind: 'elem', node: right }];
    });
  }

  private evalWrite(w: Write, scope: Map<string, Build>): Build {
    switch (w.kind) {
      case 'opaque':
        return OPAQUE;
      case 'konst':
        return KONST;
      case 'value':
        return this.analyze(w.node, scope);
      case 'keys':
        return this.keysOf(w.node, scope) ? KONST : OPAQUE;
      case 'key':
        return this.analyze(w.node, scope).konst ? KONST : OPAQUE;
      default:
        // A loop variable is not itself assembled: the anchor stays at its use.
        return this.iterate(w.node, scope).konst ? KONST : OPAQUE;
    }
  }

  /** Names checked by `name in CONST` in a condition (as a conjunct). */
  private allowListed(cond: SyntaxNode, scope: Map<string, Build>): string[] {
    if (cond.type === 'parenthesized_expression') return this.allowListed(cond.children.find((c) => c.named)!, scope);
    if (cond.type === 'boolean_operator') {
      if (cond.children.find((c) => !c.named)?.type !== 'and') return [];
      return [field(cond, 'left')!, field(cond, 'right')!].flatMap((s) => this.allowListed(s, scope));
    }
    return this.membership(cond, 'in', scope);
  }

  private membership(cond: SyntaxNode, op: 'in' | 'not in', scope: Map<string, Build>): string[] {
    if (cond.type !== 'comparison_operator') return [];
    const operands = cond.children.filter((c) => c.named && c.field !== 'operators');
    const ops = cond.children.filter((c) => c.field === 'operators').map((c) => this.t(c).replace(/\s+/g, ' '));
    if (ops.length !== 1 || ops[0] !== op || operands.length !== 2 || operands[0]!.type !== 'identifier') return [];
    const right = operands[1]!;
    const konst = (right.type === 'identifier' && UPPER.test(this.t(right))) || this.iterate(right, scope).konst;
    return konst ? [this.t(operands[0]!)] : [];
  }

  private identifier(node: SyntaxNode, scope: Map<string, Build>): Build {
    const name = this.t(node);
    const bound = scope.get(name);
    if (bound) return bound.konst ? bound : this.guarded(node, name, scope) ? KONST : bound;
    const ws = this.writesOf(name);
    if (!ws) {
      if (this.fn.params.some((p) => p.name === name)) return OPAQUE;
      return this.globals.get(name)?.constant || UPPER.test(name) ? KONST : OPAQUE;
    }
    let b = this.memo.get(name);
    if (!b) {
      // Cycles (`expr = expr + ...`) assume the other writes decide.
      if (this.busy.has(name)) return KONST;
      this.busy.add(name);
      b = this.combine(ws.map((w): [SyntaxNode, Build] => [w.kind === 'value' ? w.node : node, this.evalWrite(w, new Map())]), false);
      if (!b.konst && !b.built) b = OPAQUE;
      this.busy.delete(name);
      this.memo.set(name, b);
    }
    if (!b.konst && this.guarded(node, name, scope)) return KONST;
    return b;
  }

  /** Is this use of `name` under `if name in CONST:` or after `if name not in CONST: continue/raise/return`? */
  private guarded(use: SyntaxNode, name: string, scope: Map<string, Build>): boolean {
    for (let n = use, p = use.parent; p && n !== this.fn.body; n = p, p = p.parent) {
      if (p.type === 'if_statement' && field(p, 'consequence') === n && this.allowListed(field(p, 'condition')!, scope).includes(name)) return true;
      if (p.type !== 'block') continue;
      for (const s of p.children) {
        if (s === n) break;
        if (s.type !== 'if_statement' || s.children.some((c) => c.type === 'elif_clause' || c.type === 'else_clause')) continue;
        const cond = field(s, 'condition')!;
        const negated = cond.type === 'not_operator' ? this.allowListed(field(cond, 'argument')!, scope) : this.membership(cond, 'not in', scope);
        const last = field(s, 'consequence')?.children.at(-1);
        const exits = !!last && (/^(continue|raise|return|break)_statement$/.test(last.type) || /^abort\(/.test(this.t(last)));
        if (exits && negated.includes(name)) return true;
      }
    }
    return false;
  }

  /**
   * Does `node` come straight from the request rather than from a helper? False when it (or a
   * write of the local it names) is a call of a plain function (`build_filter(body)`), which may
   * well validate what it assembles, or something this class cannot see (tuple unpacking...).
   */
  direct(node: SyntaxNode): boolean {
    const helper = (n: SyntaxNode) => n.type === 'call' && field(n, 'function')?.type === 'identifier' && !/^(str|dict)$/.test(this.t(field(n, 'function')!));
    if (node.type !== 'identifier') return !helper(node);
    const ws = this.writesOf(this.t(node));
    return !ws || ws.every((w) => w.kind === 'value' && !helper(w.node));
  }

  private writesOf(name: string): Write[] | undefined {
    this.writes ??= this.collect();
    return this.writes.get(name);
  }

  private collect(): Map<string, Write[]> {
    const out = new Map<string, Write[]>();
    const add = (target: SyntaxNode, w: Write) => {
      if (target.type !== 'identifier') return;
      const k = this.t(target);
      out.set(k, [...(out.get(k) ?? []), w]);
    };
    const assign = (left: SyntaxNode, right: SyntaxNode | undefined) => {
      if (left.type === 'identifier') return add(left, right ? { kind: 'value', node: right } : { kind: 'opaque' });
      if (left.type === 'subscript') {
        const base = field(left, 'value')!;
        const sub = field(left, 'subscript');
        if (right) add(base, { kind: 'value', node: right });
        if (sub) add(base, { kind: 'key', node: sub });
        return;
      }
      const targets = left.children.filter((c) => c.named);
      const values = right && (right.type === 'expression_list' || right.type === 'tuple') ? right.children.filter((c) => c.named) : undefined;
      targets.forEach((tg, i) => assign(tg, values?.length === targets.length ? values[i] : undefined));
    };
    visit(this.fn.body, (n) => {
      if (DEFS.has(n.type) || n.type.endsWith('comprehension') || n.type === 'generator_expression') return false;
      switch (n.type) {
        case 'assignment':
          assign(field(n, 'left')!, field(n, 'right'));
          break;
        case 'augmented_assignment':
          add(field(n, 'left')!, { kind: 'value', node: field(n, 'right')! });
          break;
        case 'named_expression':
          add(field(n, 'name')!, { kind: 'value', node: field(n, 'value')! });
          break;
        case 'for_statement':
          for (const [tg, w] of this.loopWrites(field(n, 'left')!, field(n, 'right')!)) add(tg, w);
          break;
        case 'call': {
          const f = field(n, 'function')!;
          const recv = f.type === 'attribute' ? field(f, 'object')! : undefined;
          const method = f.type === 'attribute' ? this.t(field(f, 'attribute')!) : '';
          const args = argsOf(n);
          if (!recv || recv.type !== 'identifier') break;
          if (method === 'append' || method === 'add') add(recv, args[0] ? { kind: 'value', node: args[0] } : { kind: 'opaque' });
          else if (method === 'insert') add(recv, args[1] ? { kind: 'value', node: args[1] } : { kind: 'opaque' });
          else if (method === 'extend') add(recv, args[0] ? { kind: 'elem', node: args[0] } : { kind: 'opaque' });
          else if (method === 'update') add(recv, args[0] ? { kind: 'keys', node: args[0] } : { kind: 'opaque' });
          break;
        }
        case 'as_pattern_target':
        case 'except_clause':
        case 'global_statement':
        case 'nonlocal_statement':
        case 'import_statement':
        case 'import_from_statement':
          for (const c of n.children) if (c.type === 'identifier' || c.type === 'dotted_name') add(c, { kind: 'opaque' });
          break;
        default:
          break;
      }
      return true;
    });
    return out;
  }
}
