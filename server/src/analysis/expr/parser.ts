import type {
  Comparator, ExprError, ExprNode, FunctionNode, NameRef, PathElement, PathNode, ProjectionExpression, Span,
  UpdateAction, UpdateClause, UpdateClauseKind, UpdateExpression,
} from './ast';
import { CONDITION_KEYWORDS, isKeyword, tokenize, UPDATE_KEYWORDS, type Token, type TokenKind } from './lexer';

// Hand-written recursive descent parsers for the three grammars of DynamoDB expressions
// (condition/filter/key condition, update, projection). They stop at the first syntax error, as
// DynamoDB does, and return what they built so far: the bare names seen up to that point are still
// real attribute names. Semantic checks (functions, key conditions, path overlap...) live in
// validate.ts so they can use ExpressionAttributeNames.

export interface ParseResult<T> {
  root?: T;
  errors: ExprError[];
  /** Bare attribute names used in document paths, in source order. */
  names: NameRef[];
}

class SyntaxFailure extends Error {}

const MAX_NESTING = 200;

const COMPARATORS: ReadonlySet<TokenKind> = new Set(['=', '<>', '<', '<=', '>', '>=']);

function describe(tok: Token): string {
  return tok.kind === 'eof' ? 'the end of the expression' : `"${tok.text}"`;
}

class Parser {
  private readonly toks: Token[];
  private i = 0;
  readonly errors: ExprError[] = [];
  readonly names: NameRef[] = [];

  constructor(
    private readonly text: string,
    private readonly keywords: ReadonlySet<string>,
  ) {
    this.toks = tokenize(text);
  }

  peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }

  isKw(tok: Token, word?: string): boolean {
    if (!isKeyword(tok, this.keywords, this.text)) return false;
    return word === undefined || tok.text.toUpperCase() === word;
  }

  /**
   * Nesting so far (parentheses, function calls, NOT). Bounded so a hostile `((((...` string
   * cannot overflow the stack; DynamoDB's own 4 KB expression limit makes deeper nesting moot.
   */
  private depth = 0;

  /** Enter one nesting level, or give up with a syntax error past MAX_NESTING. */
  nest(tok: Token): void {
    if (++this.depth <= MAX_NESTING) return;
    const message = `Syntax error at ${describe(tok)}: nested more than ${MAX_NESTING} levels deep`;
    this.errors.push({ code: 'syntax', message, ...this.anchor(tok) });
    throw new SyntaxFailure(message);
  }

  /** Record a syntax error at `tok` (the end of the text for eof) and abandon the parse. */
  fail(tok: Token, expected: string): never {
    const span = this.anchor(tok);
    const message = tok.kind === 'invalid'
      ? `Syntax error: "${tok.text}" is not part of DynamoDB's expression language`
      : `Syntax error at ${describe(tok)}: expected ${expected}`;
    this.errors.push({ code: 'syntax', message, ...span });
    throw new SyntaxFailure(message);
  }

  /** A span to underline for `tok`: the token, or the last character when the text ended early. */
  anchor(tok: Token): Span {
    if (tok.kind !== 'eof') return { start: tok.start, end: tok.end };
    const prev = this.toks[this.toks.length - 2];
    return prev ? { start: prev.start, end: prev.end } : { start: 0, end: this.text.length };
  }

  expect(kind: TokenKind, expected: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(t, expected);
    return this.next();
  }

  run<T>(parse: () => T): ParseResult<T> {
    if (this.text.length === 0) {
      return { errors: [{ code: 'empty', message: 'The expression is empty: DynamoDB rejects an empty expression', start: 0, end: 0 }], names: [] };
    }
    try {
      const root = parse();
      const end = this.peek();
      if (end.kind !== 'eof') this.fail(end, 'the end of the expression');
      return { root, errors: this.errors, names: this.names };
    } catch (e) {
      if (!(e instanceof SyntaxFailure)) throw e;
      return { errors: this.errors, names: this.names };
    }
  }

  // ---- document paths ----------------------------------------------------------------------

  /** A path element name: a bare name (not a keyword) or a #placeholder. */
  pathName(): PathElement {
    const t = this.peek();
    if (t.kind === 'attrName') {
      if (t.text.length === 1) this.fail(t, 'a name after "#"');
      this.next();
      return { kind: 'attrName', name: t.text, start: t.start, end: t.end };
    }
    if (t.kind !== 'name') this.fail(t, 'an attribute name');
    if (this.isKw(t)) this.fail(t, `an attribute name ("${t.text}" is a keyword here; use an #placeholder)`);
    this.next();
    this.names.push({ name: t.text, start: t.start, end: t.end });
    return { kind: 'name', name: t.text, start: t.start, end: t.end };
  }

  path(): PathNode {
    const first = this.pathName();
    const elements: PathElement[] = [first];
    for (;;) {
      const t = this.peek();
      if (t.kind === '.') {
        this.next();
        elements.push(this.pathName());
      } else if (t.kind === '[') {
        const open = this.next();
        const n = this.expect('number', 'a list index');
        const close = this.expect(']', '"]"');
        elements.push({ kind: 'index', index: Number(n.text), start: open.start, end: close.end });
      } else {
        break;
      }
    }
    return { type: 'path', elements, start: first.start, end: elements[elements.length - 1]!.end };
  }

  value(): ExprNode {
    const t = this.next();
    if (t.text.length === 1) this.fail(t, 'a name after ":"');
    return { type: 'value', name: t.text, start: t.start, end: t.end };
  }

  functionCall(arg: () => ExprNode): FunctionNode {
    const nameTok = this.next();
    this.nest(nameTok);
    this.expect('(', '"("');
    const args: ExprNode[] = [arg()];
    while (this.peek().kind === ',') {
      this.next();
      args.push(arg());
    }
    const close = this.expect(')', '"," or ")"');
    this.depth--;
    return { type: 'function', name: nameTok.text, nameSpan: { start: nameTok.start, end: nameTok.end }, args, start: nameTok.start, end: close.end };
  }

  // ---- condition grammar -------------------------------------------------------------------
  // or := and (OR and)* ; and := not (AND not)* ; not := NOT not | comparison
  // comparison := operand [comparator operand | BETWEEN operand AND operand | IN ( operand, ... )]
  // operand := ( or ) | function ( operand, ... ) | path | :value

  or(): ExprNode {
    let left = this.and();
    while (this.isKw(this.peek(), 'OR')) {
      const op = this.next();
      const right = this.and();
      left = { type: 'or', opSpan: { start: op.start, end: op.end }, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  and(): ExprNode {
    let left = this.not();
    while (this.isKw(this.peek(), 'AND')) {
      const op = this.next();
      const right = this.not();
      left = { type: 'and', opSpan: { start: op.start, end: op.end }, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  not(): ExprNode {
    const t = this.peek();
    if (this.isKw(t, 'NOT')) {
      this.nest(t);
      this.next();
      const arg = this.not();
      this.depth--;
      return { type: 'not', opSpan: { start: t.start, end: t.end }, arg, start: t.start, end: arg.end };
    }
    return this.comparison();
  }

  comparison(): ExprNode {
    const left = this.operand();
    const t = this.peek();
    if (COMPARATORS.has(t.kind)) {
      this.next();
      const right = this.operand();
      return { type: 'compare', op: t.kind as Comparator, opSpan: { start: t.start, end: t.end }, left, right, start: left.start, end: right.end };
    }
    if (this.isKw(t, 'BETWEEN')) {
      this.next();
      const low = this.operand();
      const and = this.peek();
      if (!this.isKw(and, 'AND')) this.fail(and, '"AND" of BETWEEN ... AND ...');
      this.next();
      const high = this.operand();
      return { type: 'between', opSpan: { start: t.start, end: t.end }, subject: left, low, high, start: left.start, end: high.end };
    }
    if (this.isKw(t, 'IN')) {
      this.next();
      this.expect('(', '"(" after IN');
      const list = [this.operand()];
      while (this.peek().kind === ',') {
        this.next();
        list.push(this.operand());
      }
      const close = this.expect(')', '"," or ")"');
      return { type: 'in', opSpan: { start: t.start, end: t.end }, subject: left, list, start: left.start, end: close.end };
    }
    return left;
  }

  operand(): ExprNode {
    return this.operandOf(() => this.or(), () => this.operand(), 'an attribute name, a :value, a function or "("');
  }

  /** An operand: `( inner )`, a :value, a path or a function call whose arguments are `self`s. */
  private operandOf(inner: () => ExprNode, self: () => ExprNode, expected: string): ExprNode {
    const t = this.peek();
    switch (t.kind) {
      case '(': {
        this.nest(t);
        this.next();
        const e = inner();
        const close = this.expect(')', '")"');
        this.depth--;
        return { type: 'paren', inner: e, start: t.start, end: close.end };
      }
      case 'value':
        return this.value();
      case 'attrName':
        return this.path();
      case 'name':
        if (!this.isKw(t) && this.peek(1).kind === '(') return this.functionCall(self);
        return this.path();
      default:
        return this.fail(t, expected);
    }
  }

  // ---- update grammar ----------------------------------------------------------------------
  // update := clause+ ; clause := SET set (, set)* | REMOVE path (, path)* | ADD path :v (, ...)* | DELETE path :v (, ...)*
  // set := path = setValue ; setValue := operand [(+|-) operand] ; operand := ( setValue ) | function | :value | path

  update(): UpdateExpression {
    const clauses: UpdateClause[] = [];
    do {
      const kw = this.peek();
      if (!this.isKw(kw)) this.fail(kw, clauses.length ? 'SET, REMOVE, ADD, DELETE or ","' : 'SET, REMOVE, ADD or DELETE');
      this.next();
      const keyword = kw.text.toUpperCase() as UpdateClauseKind;
      const actions: UpdateAction[] = [];
      do {
        if (actions.length) this.next(); // the comma
        actions.push(this.updateAction(keyword));
      } while (this.peek().kind === ',');
      const last = actions[actions.length - 1]!;
      clauses.push({ keyword, keywordSpan: { start: kw.start, end: kw.end }, actions, start: kw.start, end: last.end });
    } while (this.peek().kind !== 'eof');
    return { type: 'update', clauses };
  }

  updateAction(keyword: UpdateClauseKind): UpdateAction {
    const path = this.path();
    switch (keyword) {
      case 'SET': {
        this.expect('=', '"=" after the path of a SET action');
        const value = this.setValue();
        return { path, value, start: path.start, end: value.end };
      }
      case 'REMOVE':
        return { path, start: path.start, end: path.end };
      default: {
        const t = this.peek();
        if (t.kind !== 'value') this.fail(t, `a :value after the path of ${keyword}`);
        const value = this.value();
        return { path, value, start: path.start, end: value.end };
      }
    }
  }

  setValue(): ExprNode {
    const left = this.updateOperand();
    const t = this.peek();
    if (t.kind === '+' || t.kind === '-') {
      this.next();
      const right = this.updateOperand();
      return { type: 'arith', op: t.kind, opSpan: { start: t.start, end: t.end }, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  updateOperand(): ExprNode {
    return this.operandOf(() => this.setValue(), () => this.updateOperand(), 'an attribute name, a :value, if_not_exists(...) or list_append(...)');
  }

  // ---- projection grammar ------------------------------------------------------------------

  projection(): ProjectionExpression {
    const paths = [this.path()];
    while (this.peek().kind === ',') {
      this.next();
      paths.push(this.path());
    }
    return { type: 'projection', paths };
  }
}

/** Condition, filter and key-condition expressions. */
export function parseCondition(text: string): ParseResult<ExprNode> {
  const p = new Parser(text, CONDITION_KEYWORDS);
  return p.run(() => p.or());
}

export function parseUpdate(text: string): ParseResult<UpdateExpression> {
  const p = new Parser(text, UPDATE_KEYWORDS);
  return p.run(() => p.update());
}

export function parseProjection(text: string): ParseResult<ProjectionExpression> {
  const p = new Parser(text, new Set());
  return p.run(() => p.projection());
}
