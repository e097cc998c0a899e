import type {
  ExprError, ExprNode, FunctionNode, ParsedRoot, PathNode, ProjectionExpression, Span, UpdateExpression,
} from './ast';

// Semantic checks DynamoDB applies after parsing: function names and arity, functions used where
// an operand or a condition is expected, redundant parentheses, identical operands, key-condition
// shape, repeated update clauses and overlapping document paths.

/** Resolves `#placeholder` to the attribute name when ExpressionAttributeNames is known. */
export type NameResolver = (placeholder: string) => string | undefined;

export const CONDITION_FUNCTIONS: Readonly<Record<string, number>> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
};

const UPDATE_FUNCTIONS: Readonly<Record<string, number>> = {
  if_not_exists: 2,
  list_append: 2,
};

export function err(code: ExprError['code'], span: Span, message: string): ExprError {
  return { code, message, start: span.start, end: span.end };
}

export function unwrap(n: ExprNode): ExprNode {
  while (n.type === 'paren') n = n.inner;
  return n;
}

/** `a.b[0]`, with placeholders shown as written. */
export function pathText(p: PathNode): string {
  return p.elements.map((e, i) => (e.kind === 'index' ? `[${e.index}]` : (i ? '.' : '') + e.name)).join('');
}

type Resolved = Array<string | number | undefined>;

/** Every document path of a parsed expression, in source order. */
export function pathsOf(root: ParsedRoot): PathNode[] {
  const out: PathNode[] = [];
  const visit = (n: ExprNode): void => {
    switch (n.type) {
      case 'path': out.push(n); return;
      case 'value': return;
      case 'function': n.args.forEach(visit); return;
      case 'paren': visit(n.inner); return;
      case 'compare': case 'and': case 'or': case 'arith': visit(n.left); visit(n.right); return;
      case 'between': visit(n.subject); visit(n.low); visit(n.high); return;
      case 'in': visit(n.subject); n.list.forEach(visit); return;
      case 'not': visit(n.arg); return;
    }
  };
  if (root.type === 'update') {
    for (const c of root.clauses) {
      for (const a of c.actions) {
        out.push(a.path);
        if (a.value) visit(a.value);
      }
    }
  } else if (root.type === 'projection') {
    out.push(...root.paths);
  } else {
    visit(root);
  }
  return out;
}

/** The attribute a path starts with (resolved through ExpressionAttributeNames), if known. */
export function pathHead(p: PathNode, resolve: NameResolver): string | undefined {
  const e = p.elements[0]!;
  return e.kind === 'name' ? e.name : e.kind === 'attrName' ? resolve(e.name) : undefined;
}

/** Path elements with #placeholders resolved (`undefined` where the name is not known). */
function resolvePath(p: PathNode, resolve: NameResolver): Resolved {
  return p.elements.map((e) => (e.kind === 'index' ? e.index : e.kind === 'name' ? e.name : resolve(e.name)));
}

function samePath(a: PathNode, b: PathNode, resolve: NameResolver): boolean {
  const x = resolvePath(a, resolve);
  const y = resolvePath(b, resolve);
  return x.length === y.length && x.every((e, i) => e !== undefined && e === y[i]);
}

// ---- condition / filter / key condition ----------------------------------------------------

export function validateCondition(root: ExprNode, resolve: NameResolver): ExprError[] {
  const errors: ExprError[] = [];

  const distinct = (what: string, args: ExprNode[], span: Span) => {
    if (args.length !== 2) return;
    const [a, b] = args.map(unwrap) as [ExprNode, ExprNode];
    if (a.type === 'path' && b.type === 'path' && samePath(a, b, resolve)) {
      errors.push(err('distinct', span, `${what} compares \`${pathText(a)}\` with itself (the operands must be distinct)`));
    }
  };

  const fn = (n: FunctionNode) => {
    const arity = CONDITION_FUNCTIONS[n.name];
    if (arity === undefined) {
      const hint = CONDITION_FUNCTIONS[n.name.toLowerCase()] !== undefined ? ` (function names are case-sensitive: \`${n.name.toLowerCase()}\`)` : '';
      errors.push(err('unknownFunction', n.nameSpan, `\`${n.name}\` is not a DynamoDB condition function${hint}`));
      return;
    }
    for (const a of n.args) operand(a);
    if (n.args.length !== arity) {
      errors.push(err('arity', n.nameSpan, `\`${n.name}\` takes ${arity} operand${arity > 1 ? 's' : ''}, not ${n.args.length}`));
      return;
    }
    if ((n.name === 'attribute_exists' || n.name === 'attribute_not_exists') && unwrap(n.args[0]!).type !== 'path') {
      errors.push(err('needsPath', n.args[0]!, `\`${n.name}\` needs a document path, not a value`));
    }
    if (n.name === 'begins_with' || n.name === 'contains' || n.name === 'attribute_type') distinct(`\`${n.name}\``, n.args, n.nameSpan);
    // size() is a number: begins_with needs strings/binaries, size() cannot measure a number.
    const sized = n.args.find((a) => { const u = unwrap(a); return u.type === 'function' && u.name === 'size'; });
    if (sized && (n.name === 'begins_with' || n.name === 'size')) {
      errors.push(err('operandType', sized, `\`${n.name}\` cannot take a number such as \`size(...)\` as an operand`));
    }
    if (n.name === 'attribute_type' && unwrap(n.args[1]!).type !== 'value') {
      errors.push(err('operandType', n.args[1]!, '`attribute_type` needs a :value naming the type (S, N, B, BOOL, NULL, L, M, SS, NS, BS) as its second operand'));
    }
  };

  const operand = (n: ExprNode): void => {
    switch (n.type) {
      case 'paren':
        if (n.inner.type === 'paren') errors.push(err('parens', { start: n.inner.start, end: n.inner.start + 1 }, 'Redundant parentheses: a condition or operand is wrapped in two pairs of parentheses'));
        operand(n.inner);
        return;
      case 'function':
        if (n.name !== 'size' && CONDITION_FUNCTIONS[n.name] !== undefined) {
          errors.push(err('misusedFunction', n.nameSpan, `\`${n.name}\` is a condition, not a value: it cannot be used as an operand`));
        }
        fn(n);
        return;
      case 'path':
      case 'value':
        return;
      default:
        errors.push(err('notOperand', n, 'A condition is used where an operand (path, :value or size(...)) is expected'));
    }
  };

  const cond = (n: ExprNode): void => {
    switch (n.type) {
      case 'and':
      case 'or':
        cond(n.left);
        cond(n.right);
        return;
      case 'not':
        cond(n.arg);
        return;
      case 'paren':
        if (n.inner.type === 'paren') errors.push(err('parens', { start: n.inner.start, end: n.inner.start + 1 }, 'Redundant parentheses: a condition or operand is wrapped in two pairs of parentheses'));
        cond(n.inner);
        return;
      case 'compare':
        operand(n.left);
        operand(n.right);
        distinct(`\`${n.op}\``, [n.left, n.right], n.opSpan);
        return;
      case 'between':
        operand(n.subject);
        operand(n.low);
        operand(n.high);
        return;
      case 'in':
        operand(n.subject);
        n.list.forEach(operand);
        return;
      case 'function':
        if (n.name === 'size') errors.push(err('misusedFunction', n.nameSpan, '`size(...)` is a number, not a condition: compare it (`size(a) > :n`)'));
        fn(n);
        return;
      default:
        errors.push(err('notCondition', n, 'An operand is used where a condition is expected: compare it or use a function such as attribute_exists(...)'));
    }
  };

  cond(root);
  return errors;
}

// ---- update / projection -------------------------------------------------------------------

type PathRelation = 'distinct' | 'overlap' | 'conflict' | 'unknown';

function relate(a: PathNode, b: PathNode, resolve: NameResolver): PathRelation {
  const n = Math.min(a.elements.length, b.elements.length);
  for (let i = 0; i < n; i++) {
    const x = a.elements[i]!;
    const y = b.elements[i]!;
    if ((x.kind === 'index') !== (y.kind === 'index')) return 'conflict';
    if (x.kind === 'index' && y.kind === 'index') {
      if (x.index !== y.index) return 'distinct';
      continue;
    }
    const xn = x.kind === 'name' ? x.name : resolve((x as { name: string }).name);
    const yn = y.kind === 'name' ? y.name : resolve((y as { name: string }).name);
    if (xn === undefined || yn === undefined) {
      // Same placeholder means the same name even when its value is not known.
      if (x.kind === 'attrName' && y.kind === 'attrName' && x.name === y.name) continue;
      return 'unknown';
    }
    if (xn !== yn) return 'distinct';
  }
  return 'overlap';
}

function overlaps(paths: Array<{ path: PathNode; role: string }>, resolve: NameResolver, errors: ExprError[]): void {
  for (let j = 1; j < paths.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = paths[i]!;
      const b = paths[j]!;
      const r = relate(a.path, b.path, resolve);
      if (r === 'overlap') {
        errors.push(err('pathOverlap', b.path, `Two document paths overlap: \`${pathText(a.path)}\`${a.role} and \`${pathText(b.path)}\`${b.role}`));
        break;
      }
      if (r === 'conflict') {
        errors.push(err('pathConflict', b.path, `Two document paths conflict: \`${pathText(a.path)}\` and \`${pathText(b.path)}\` use the same attribute as a map and as a list`));
        break;
      }
    }
  }
}

export function validateUpdate(root: UpdateExpression, resolve: NameResolver): ExprError[] {
  const errors: ExprError[] = [];
  const seen = new Set<string>();
  for (const c of root.clauses) {
    if (seen.has(c.keyword)) errors.push(err('clauseRepeated', c.keywordSpan, `The ${c.keyword} clause can be used only once in an update expression: merge its actions with commas`));
    seen.add(c.keyword);
  }
  const fn = (n: ExprNode): void => {
    switch (n.type) {
      case 'paren':
        fn(n.inner);
        return;
      case 'arith':
        fn(n.left);
        fn(n.right);
        return;
      case 'function': {
        const arity = UPDATE_FUNCTIONS[n.name];
        if (arity === undefined) {
          const hint = UPDATE_FUNCTIONS[n.name.toLowerCase()] !== undefined ? ` (function names are case-sensitive: \`${n.name.toLowerCase()}\`)` : '';
          errors.push(err('unknownFunction', n.nameSpan, `\`${n.name}\` is not an update function (if_not_exists, list_append)${hint}`));
          return;
        }
        n.args.forEach(fn);
        if (n.args.length !== arity) errors.push(err('arity', n.nameSpan, `\`${n.name}\` takes ${arity} operands, not ${n.args.length}`));
        else if (n.name === 'if_not_exists' && unwrap(n.args[0]!).type !== 'path') errors.push(err('needsPath', n.args[0]!, '`if_not_exists` needs a document path as its first operand'));
        return;
      }
      default:
        return;
    }
  };
  // Parentheses: one pair around a whole SET value (`(a + :b)`, `((a))`), one around an operand.
  const operandP = (n: ExprNode): void => {
    if (n.type === 'paren') {
      if (n.inner.type === 'paren') errors.push(err('parens', { start: n.inner.start, end: n.inner.start + 1 }, 'Redundant parentheses around an operand'));
      else if (n.inner.type === 'arith') errors.push(err('syntax', n.inner.opSpan, 'Syntax error: `+`/`-` cannot be nested inside an operand; an update value is `operand + operand` at most'));
      else operand(n.inner);
    } else {
      operand(n);
    }
  };
  const operand = (n: ExprNode): void => {
    if (n.type === 'function') n.args.forEach(operandP);
    else if (n.type === 'arith') errors.push(err('syntax', n.opSpan, 'Syntax error: an update value is `operand + operand` at most'));
  };
  const setValue = (v: ExprNode): void => {
    const inner = v.type === 'paren' ? v.inner : v;
    if (inner.type === 'arith') {
      operandP(inner.left);
      operandP(inner.right);
    } else {
      operandP(inner);
    }
  };
  const paths: Array<{ path: PathNode; role: string }> = [];
  for (const c of root.clauses) {
    for (const a of c.actions) {
      if (a.value) fn(a.value);
      if (a.value && c.keyword === 'SET') setValue(a.value);
      paths.push({ path: a.path, role: ` (${c.keyword})` });
    }
  }
  overlaps(paths, resolve, errors);
  return errors;
}

export function validateProjection(root: ProjectionExpression, resolve: NameResolver): ExprError[] {
  const errors: ExprError[] = [];
  overlaps(root.paths.map((path) => ({ path, role: '' })), resolve, errors);
  return errors;
}
