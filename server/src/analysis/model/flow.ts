import type { DynamoGuardSettings } from '../../protocol';
import { field, fields, type SyntaxNode } from '../parse/syntax';
import type { FunctionFacts, FunctionSummary, HandlerInfo, ReturnFact, TableCall } from './facts';
import type { FunctionInfo, ModuleStructure } from './module';
import { textOf } from './module';
import {
  CLIENT_METHODS, DENY_EXCEPTIONS, DENY_STATUS, DYNAMO_ONLY_KWARGS, FRESH_CALL, G_SUBJECT,
  PYNAMO_CLASS_METHODS, PYNAMO_ITEM_METHODS, READ_METHODS, statusFromName, TABLE_METHODS, WRITE_METHODS,
} from './names';
import { extractKeys, conditionBindsSubject } from './tableCalls';
import {
  constant, derived, dictGet, EMPTY, isEmpty, join, joinAll, type DbLevel, type DictEntry, type Source, type Value,
} from './values';

/** What the interpreter needs from the module around a function. */
export interface ModuleContext {
  text: string;
  structure: ModuleStructure;
  globals: Map<string, Value>;
  settings: DynamoGuardSettings;
  /** Summary of a function defined in this file (memoised, cycle-safe). */
  summary(name: string): FunctionSummary | undefined;
  /** Value of a name imported from another workspace module (tables, auth functions...). */
  imported(qualified: string): Value | undefined;
  /** Guard pairs of a guard helper imported from another workspace module. */
  importedGuard(qualified: string): Array<[number, number]> | undefined;
  isAuthFunction(name: string): boolean;
  keySchema(tableName: string | undefined): string[] | undefined;
  nextCallId(): number;
}

interface State {
  env: Map<string, Value>;
  /** Request source ids checked against the subject on every path so far. */
  verified: Set<string>;
  /** Request source ids (whole parameters) validated by an allow-list/format/bound check on every path so far. */
  validated: Set<string>;
  terminated: boolean;
}

interface Pair {
  left: Value;
  right: Value;
}

const MAX_DEPTH = 120;

/**
 * Abstract interpreter over one function body (or the module's top level): evaluates
 * expressions to Values, follows assignments/branches/loops in order, records table calls with
 * the guards in force, returns and subject reads. One pass shared by every rule.
 */
export class FlowAnalyzer {
  readonly calls: TableCall[] = [];
  readonly returns: ReturnFact[] = [];
  readonly raises: ReturnFact[] = [];
  readonly subjectReads: Source[] = [];
  readonly guardCalls: SyntaxNode[] = [];
  /** Helper mode: pairs of param indexes compared by a guard (-1 = subject). */
  readonly guardPairs: Array<[number, number]> = [];
  private depth = 0;
  private loopDepth = 0;
  /** Enclosing loop statements (innermost last), for `TableCall.loop`. */
  private readonly loops: SyntaxNode[] = [];
  private currentStatement: SyntaxNode | undefined;

  constructor(
    private readonly ctx: ModuleContext,
    private readonly fn: FunctionInfo | undefined,
    private readonly mode: 'module' | 'handler' | 'helper' | 'plain',
    private readonly handler?: HandlerInfo,
  ) {}

  private t(node: SyntaxNode): string {
    return textOf(this.ctx.text, node);
  }

  // ---- entry points -------------------------------------------------------------------------

  runFunction(initial: Map<string, Value>): FunctionFacts {
    // `initial` is used as is: callers (class __init__) read the final bindings back from it.
    // Parameters validated by their declaration (`Literal[...]`, Enum, `Query(pattern=...)`).
    const validated = new Set<string>();
    for (const v of initial.values()) if (v.checked) for (const s of v.request ?? []) if (s.id.startsWith('param:')) validated.add(s.id);
    const state: State = { env: initial, verified: new Set(), validated, terminated: false };
    this.execBlock(this.fn!.body, state);
    const facts: FunctionFacts = {
      fn: this.fn!,
      calls: this.calls,
      returns: this.returns,
      raises: this.raises,
      subjectReads: this.subjectReads,
      guardCalls: this.guardCalls,
    };
    if (this.handler) facts.handler = this.handler;
    return facts;
  }

  /** Evaluate module-level statements, writing bindings into `globals`. */
  runModule(statements: SyntaxNode[]): void {
    const state: State = { env: this.ctx.globals, verified: new Set(), validated: new Set(), terminated: false };
    for (const s of statements) this.execStatement(s, state);
  }

  evalStandalone(node: SyntaxNode, env: Map<string, Value> = new Map()): Value {
    return this.eval(node, { env, verified: new Set(), validated: new Set(), terminated: false });
  }

  // ---- statements ---------------------------------------------------------------------------

  private execBlock(block: SyntaxNode | undefined, state: State): void {
    if (!block) return;
    for (const stmt of block.children) {
      if (state.terminated) return;
      this.execStatement(stmt, state);
    }
  }

  private execStatement(stmt: SyntaxNode, state: State): void {
    const saved = this.currentStatement;
    if (stmt.type !== 'block') this.currentStatement = stmt;
    try {
      this.execStatementInner(stmt, state);
    } finally {
      this.currentStatement = saved;
    }
  }

  private execStatementInner(stmt: SyntaxNode, state: State): void {
    switch (stmt.type) {
      case 'expression_statement':
        for (const c of stmt.children) {
          if (c.type === 'assignment') this.execAssignment(c, state);
          else if (c.type === 'augmented_assignment') this.execAugmented(c, state);
          else {
            this.eval(c, state);
            // Flask's abort() raises: nothing after it runs.
            if (c.type === 'call' && this.calleeName(c) === 'abort') state.terminated = true;
            // `datetime.fromisoformat(start)`, `Status(x)`, `validate_sku(x)` raise on bad input.
            else if (c.type === 'call') this.narrowByCall(c, state);
          }
        }
        return;
      case 'return_statement': {
        const expr = stmt.children.find((c) => c.named);
        const value = expr ? this.eval(expr, state) : EMPTY;
        this.returns.push({ node: stmt, value });
        state.terminated = true;
        return;
      }
      case 'raise_statement': {
        const expr = stmt.children.find((c) => c.named);
        if (expr) this.raises.push({ node: stmt, value: this.eval(expr, state) });
        state.terminated = true;
        return;
      }
      case 'if_statement':
        this.execIf(stmt, state);
        return;
      case 'for_statement':
      case 'while_statement':
        this.execLoop(stmt, state);
        return;
      case 'try_statement':
        this.execTry(stmt, state);
        return;
      case 'with_statement':
        this.execWith(stmt, state);
        return;
      case 'match_statement':
        this.execMatch(stmt, state);
        return;
      case 'decorated_definition':
      case 'function_definition':
      case 'class_definition':
        // Nested definitions are analysed on their own when they are handlers; here they only bind a name.
        return;
      case 'block':
        this.execBlock(stmt, state);
        return;
      case 'delete_statement':
      case 'pass_statement':
      case 'global_statement':
      case 'nonlocal_statement':
      case 'import_statement':
      case 'import_from_statement':
        return;
      case 'assert_statement': {
        for (const c of stmt.children) if (c.named) this.eval(c, state);
        // `assert status in ALLOWED`: what follows only runs with a validated value.
        const test = stmt.children.find((c) => c.named);
        if (test) this.narrow(test, true, state);
        return;
      }
      case 'continue_statement':
      case 'break_statement':
        // The rest of this path of the loop body does not run (`if x not in A: continue`).
        state.terminated = true;
        return;
      default:
        for (const c of stmt.children) if (c.named && !c.type.endsWith('statement')) this.eval(c, state);
    }
  }

  private execAssignment(node: SyntaxNode, state: State): void {
    const right = field(node, 'right');
    const left = field(node, 'left');
    if (!left) return;
    let value: Value = EMPTY;
    if (right) {
      value = right.type === 'assignment' ? (this.execAssignment(right, state), this.eval(field(right, 'left')!, state)) : this.eval(right, state);
    }
    this.bind(left, value, state);
  }

  private execAugmented(node: SyntaxNode, state: State): void {
    const left = field(node, 'left');
    const right = field(node, 'right');
    if (!left || !right) return;
    const old = this.eval(left, state);
    this.bind(left, join(old, this.eval(right, state)), state);
  }

  private bind(target: SyntaxNode, value: Value, state: State): void {
    switch (target.type) {
      case 'identifier':
        state.env.set(this.t(target), value);
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list': {
        const targets = target.children.filter((c) => c.named);
        targets.forEach((tg) => this.bind(tg, value.elem ? value.elem : derivedOrSelf(value), state));
        return;
      }
      case 'attribute': {
        // `self.table = ...` in __init__ and `obj.attr = v` on a local dict-like object
        const key = this.t(target);
        state.env.set(key, value);
        // `item.role = body.role` on a PynamoDB item: its next save() writes it.
        const obj = field(target, 'object');
        const old = obj?.type === 'identifier' ? state.env.get(this.t(obj)) : undefined;
        if (old?.obj === 'pynamoItem') {
          const rhs = target.parent?.type === 'assignment' ? field(target.parent, 'right') : undefined;
          const entry: DictEntry = { key: this.t(field(target, 'attribute')!), keyNode: target, valueNode: rhs ?? target, value };
          state.env.set(this.t(obj!), { ...old, dict: [...(old.dict ?? []), entry] });
        }
        return;
      }
      case 'subscript': {
        const base = field(target, 'value');
        if (base?.type !== 'identifier') return;
        const name = this.t(base);
        const old = state.env.get(name) ?? this.ctx.globals.get(name) ?? EMPTY;
        const sub = field(target, 'subscript');
        const keyStr = sub ? this.eval(sub, state).str : undefined;
        if (old.dict && keyStr !== undefined && sub) {
          const entry: DictEntry = { key: keyStr, keyNode: sub, valueNode: sub, value };
          state.env.set(name, { ...old, dict: [...old.dict, entry] });
        } else {
          // `vals[f":{k}"] = v` inside a loop over the payload: the dict now carries the payload.
          const keyVal = sub ? this.eval(sub, state) : EMPTY;
          state.env.set(name, join(old, join(derivedOrSelf(value), keyTaint(keyVal))));
        }
        return;
      }
      default:
        return;
    }
  }

  private execLoop(stmt: SyntaxNode, state: State): void {
    if (stmt.type === 'for_statement') {
      const right = field(stmt, 'right');
      const iter = right ? this.eval(right, state) : EMPTY;
      const left = field(stmt, 'left');
      if (left) this.bind(left, elementOf(iter), state);
    } else {
      const cond = field(stmt, 'condition');
      if (cond) this.eval(cond, state);
    }
    const before = new Map(state.env);
    const body: State = { env: state.env, verified: new Set(state.verified), validated: new Set(state.validated), terminated: false };
    this.loopDepth++;
    this.loops.push(stmt);
    this.execBlock(field(stmt, 'body'), body);
    this.loops.pop();
    this.loopDepth--;
    // The body may run zero times: merge what it bound with what was there before.
    mergeEnvInto(state.env, before);
    const alt = field(stmt, 'alternative');
    if (alt) this.execBlock(alt.children.find((c) => c.type === 'block'), state);
  }

  private execTry(stmt: SyntaxNode, state: State): void {
    const body = field(stmt, 'body');
    const beforeVerified = new Set(state.verified);
    const beforeValidated = new Set(state.validated);
    const tryState: State = { env: state.env, verified: state.verified, validated: state.validated, terminated: false };
    this.execBlock(body, tryState);
    const branches: State[] = [tryState];
    for (const c of stmt.children) {
      if (c.type === 'except_clause' || c.type === 'except_group_clause') {
        const env = new Map(state.env);
        const alias = c.children.find((x) => x.field === 'alias') ?? asAlias(c);
        if (alias) env.set(this.t(alias), { obj: 'exception', error: { id: `error:${alias.start}`, label: `the exception \`${this.t(alias)}\``, node: alias } });
        const s: State = { env, verified: new Set(beforeVerified), validated: new Set(beforeValidated), terminated: false };
        this.execBlock(c.children.find((x) => x.type === 'block'), s);
        branches.push(s);
      } else if (c.type === 'else_clause') {
        this.execBlock(c.children.find((x) => x.type === 'block'), tryState);
      }
    }
    this.mergeBranches(state, branches);
    const fin = stmt.children.find((c) => c.type === 'finally_clause');
    if (fin) this.execBlock(fin.children.find((x) => x.type === 'block'), state);
  }

  private execWith(stmt: SyntaxNode, state: State): void {
    const clause = stmt.children.find((c) => c.type === 'with_clause');
    for (const item of clause?.children ?? []) {
      if (item.type !== 'with_item') continue;
      const v = item.children.find((c) => c.named);
      if (!v) continue;
      if (v.type === 'as_pattern') {
        const src = v.children.find((c) => c.named && c.type !== 'as_pattern_target');
        const target = v.children.find((c) => c.type === 'as_pattern_target');
        const value = src ? this.eval(src, state) : EMPTY;
        const name = target?.children.find((c) => c.named);
        // `async with session.resource("dynamodb") as dynamo` yields the resource itself.
        if (name) this.bind(name, value, state);
      } else {
        this.eval(v, state);
      }
    }
    this.execBlock(field(stmt, 'body'), state);
  }

  private execMatch(stmt: SyntaxNode, state: State): void {
    const subject = field(stmt, 'subject');
    if (subject) this.eval(subject, state);
    const body = field(stmt, 'body');
    const branches: State[] = [];
    for (const c of body?.children ?? []) {
      if (c.type !== 'case_clause') continue;
      const s = forkState(state);
      this.execBlock(c.children.find((x) => x.type === 'block'), s);
      branches.push(s);
    }
    branches.push(forkState(state));
    this.mergeBranches(state, branches);
  }

  private mergeBranches(state: State, branches: State[]): void {
    const live = branches.filter((b) => !b.terminated);
    if (live.length === 0) {
      state.terminated = true;
      return;
    }
    const env = new Map<string, Value>();
    for (const b of live) mergeEnvInto(env, b.env);
    state.env.clear();
    for (const [k, v] of env) state.env.set(k, v);
    let verified = new Set(live[0]!.verified);
    for (const b of live.slice(1)) verified = new Set([...verified].filter((id) => b.verified.has(id)));
    state.verified.clear();
    for (const id of verified) state.verified.add(id);
    let validated = new Set(live[0]!.validated);
    for (const b of live.slice(1)) validated = new Set([...validated].filter((id) => b.validated.has(id)));
    state.validated.clear();
    for (const id of validated) state.validated.add(id);
  }

  // ---- if / guards --------------------------------------------------------------------------

  private execIf(stmt: SyntaxNode, state: State): void {
    const cond = field(stmt, 'condition');
    const consequence = field(stmt, 'consequence');
    const alternatives = stmt.children.filter((c) => c.type === 'elif_clause' || c.type === 'else_clause');
    if (cond) this.eval(cond, state);
    const { mismatch, match } = cond ? this.comparePairs(cond, state) : { mismatch: [], match: [] };
    const thenDenies = this.blockDenies(consequence, state);
    // Inside a loop, comparing each item with the subject keeps only the caller's items: a
    // Python-side filter (a check that denies is a guard, not a filter).
    if (cond && this.loopDepth > 0 && this.mode === 'handler') this.noteSubjectFilter(thenDenies ? match : [...match, ...mismatch], cond);

    const thenState = forkState(state);
    if (cond) this.narrow(cond, true, thenState);
    for (const p of match) this.applyGuard(p, thenState, false);
    this.execBlock(consequence, thenState);

    const elseState = forkState(state);
    if (cond) this.narrow(cond, false, elseState);
    if (thenDenies) for (const p of mismatch) this.applyGuard(p, elseState, true);
    const first = alternatives[0];
    let elseDenies = false;
    if (first?.type === 'else_clause') {
      const block = first.children.find((c) => c.type === 'block');
      elseDenies = this.blockDenies(block, state);
      for (const p of mismatch) this.applyGuard(p, elseState, false);
      this.execBlock(block, elseState);
    } else if (first?.type === 'elif_clause') {
      // Re-shape `elif` as a nested if in the else branch.
      const synthetic: SyntaxNode = { ...first, type: 'if_statement', children: [...first.children, ...alternatives.slice(1)] };
      this.execIf(synthetic, elseState);
    }
    if (elseDenies) for (const p of match) this.applyGuard(p, thenState, true);
    this.mergeBranches(state, [thenState, elseState]);
  }

  /** Comparisons in a condition that, when true, mean "mismatch" or "match". */
  private comparePairs(cond: SyntaxNode, state: State): { mismatch: Pair[]; match: Pair[] } {
    const mismatch: Pair[] = [];
    const match: Pair[] = [];
    const walk = (n: SyntaxNode, negated: boolean, inOr: boolean, inAnd: boolean, depth = 0) => {
      // Generated code can chain thousands of `or`s; a guard is never that deep.
      if (depth > MAX_DEPTH) return;
      switch (n.type) {
        case 'parenthesized_expression': {
          const inner = n.children.find((c) => c.named);
          if (inner) walk(inner, negated, inOr, inAnd, depth + 1);
          return;
        }
        case 'not_operator': {
          const arg = field(n, 'argument');
          if (arg) walk(arg, !negated, inAnd, inOr, depth + 1);
          return;
        }
        case 'boolean_operator': {
          const op = n.children.find((c) => !c.named)?.type;
          const isOr = (op === 'or') !== negated;
          for (const side of [field(n, 'left'), field(n, 'right')]) if (side) walk(side, negated, isOr, !isOr, depth + 1);
          return;
        }
        case 'comparison_operator': {
          const operands = n.children.filter((c) => c.named);
          const ops = n.children.filter((c) => !c.named).map((c) => c.type);
          if (operands.length !== 2) return;
          const opText = ops.join(' ');
          const pair = { left: this.eval(operands[0]!, state), right: this.eval(operands[1]!, state) };
          let isMismatch: boolean;
          if (opText === '!=' || opText === 'is not' || opText === 'not in') isMismatch = true;
          else if (opText === '==' || opText === 'is' || opText === 'in') isMismatch = false;
          else return;
          if (negated) isMismatch = !isMismatch;
          // A mismatch in an `or` still denies on its own; a match in an `and` still must hold.
          if (isMismatch && !inAnd) mismatch.push(pair);
          if (!isMismatch && !inOr) match.push(pair);
          return;
        }
        default:
          return;
      }
    };
    walk(cond, false, false, false);
    return { mismatch, match };
  }

  // ---- validation (allow-lists, format checks, bounds) ---------------------------------------

  /** Mark what `cond` being `truth` validates: narrowed variables get `checked`, whole parameters go to `validated`. */
  private narrow(cond: SyntaxNode, truth: boolean, state: State): void {
    this.narrowNodes(this.validatedBy(cond, truth, state), state);
  }

  private narrowNodes(nodes: SyntaxNode[], state: State): void {
    for (const n of nodes) {
      const objNode = n.type === 'attribute' ? field(n, 'object') : undefined;
      if (n.type !== 'identifier' && objNode?.type !== 'identifier') continue;
      const key = this.t(n);
      const v = this.eval(n, state);
      if (!v.request?.length) continue;
      state.env.set(key, { ...v, checked: true });
      if (n.type === 'identifier') for (const s of v.request) if (s.id === `param:${key}`) state.validated.add(s.id);
    }
  }

  /** A call statement that raises unless its argument is valid validates that argument from here on. */
  private narrowByCall(call: SyntaxNode, state: State): void {
    const fn = field(call, 'function');
    const arg = field(call, 'arguments')?.children.find((c) => c.named && c.type !== 'keyword_argument');
    if (!fn || !arg) return;
    const q = this.qualify(this.t(fn));
    const name = q.slice(q.lastIndexOf('.') + 1);
    if (!VALIDATING_CALL.test(q) && !/^(validate|ensure_valid|assert_valid)\w*$/.test(name) && !enumClasses(this.ctx).has(q)) return;
    this.narrowNodes([arg], state);
  }

  /** Expressions proven validated when `n` evaluates to `truth`. */
  private validatedBy(n: SyntaxNode, truth: boolean, state: State, depth = 0): SyntaxNode[] {
    // Real conditions are shallow; a generated 20,000-way `or` must not exhaust the stack.
    if (depth > 32) return [];
    switch (n.type) {
      case 'parenthesized_expression': {
        const inner = n.children.find((c) => c.named);
        return inner ? this.validatedBy(inner, truth, state, depth + 1) : [];
      }
      case 'not_operator': {
        const arg = field(n, 'argument');
        return arg ? this.validatedBy(arg, !truth, state, depth + 1) : [];
      }
      case 'boolean_operator': {
        const l = field(n, 'left');
        const r = field(n, 'right');
        if (!l || !r) return [];
        const a = this.validatedBy(l, truth, state, depth + 1);
        const b = this.validatedBy(r, truth, state, depth + 1);
        // `a and b` true (or `a or b` false) proves both sides; otherwise only what both prove.
        if ((n.children.find((c) => !c.named)?.type === 'and') === truth) return [...a, ...b];
        const seen = new Set(b.map((x) => this.t(x)));
        return a.filter((x) => seen.has(this.t(x)));
      }
      case 'comparison_operator':
        return this.validatedByComparison(n, truth, state);
      case 'call':
        return truth ? this.formatChecked(n) : [];
      default:
        return [];
    }
  }

  private validatedByComparison(n: SyntaxNode, truth: boolean, state: State): SyntaxNode[] {
    const operands = n.children.filter((c) => c.named);
    const ops = n.children.filter((c) => !c.named).map((c) => c.type);
    const isConst = (x: SyntaxNode) => this.isConstantOperand(x, state);
    const below = (op: string) => op === '<' || op === '<=';
    const above = (op: string) => op === '>' || op === '>=';
    if (operands.length === 3 && truth) {
      // `1 <= x <= MAX` / `MAX >= x > 0`
      const [lo, x, hi] = operands as [SyntaxNode, SyntaxNode, SyntaxNode];
      if (ops.every(below) && isConst(hi)) return [x];
      if (ops.every(above) && isConst(lo)) return [x];
      return [];
    }
    if (operands.length !== 2) return [];
    const [l, r] = operands as [SyntaxNode, SyntaxNode];
    const op = ops.join(' ');
    if (op === 'in') return truth && this.isAllowListOperand(r, state) ? [l] : [];
    if (op === 'not in') return !truth && this.isAllowListOperand(r, state) ? [l] : [];
    if ((op === '==') === truth && (op === '==' || op === '!=')) return isConst(r) ? [l] : isConst(l) ? [r] : [];
    // Upper bounds: `x <= MAX` true, `x > MAX` false (and mirrored).
    if ((below(op) && truth) || (above(op) && !truth)) return isConst(r) ? [l] : [];
    if ((above(op) && truth) || (below(op) && !truth)) return isConst(l) ? [r] : [];
    return [];
  }

  /** `re.fullmatch(P, x)`, `P.match(x)`, `is_valid_status(x)`: the checked argument. */
  private formatChecked(call: SyntaxNode): SyntaxNode[] {
    const fn = field(call, 'function');
    const args = field(call, 'arguments')?.children.filter((c) => c.named && c.type !== 'keyword_argument') ?? [];
    if (!fn) return [];
    const q = this.qualify(this.t(fn));
    if (/^(re|regex)\.(match|fullmatch|search)$/.test(q)) return args[1] ? [args[1]] : [];
    const name = q.slice(q.lastIndexOf('.') + 1);
    if (fn.type === 'attribute' && /^(match|fullmatch|search)$/.test(name)) return args[0] ? [args[0]] : [];
    if (/^(is_valid|valid|validate)\w*$/.test(name)) return args[0] ? [args[0]] : [];
    return [];
  }

  private isConstantOperand(n: SyntaxNode, state: State): boolean {
    if (['integer', 'float', 'true', 'false', 'none'].includes(n.type)) return true;
    if (n.type === 'unary_operator') return n.children.some((c) => c.type === 'integer' || c.type === 'float');
    if (n.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(this.t(n)) && !state.env.has(this.t(n))) return true;
    if (n.type !== 'string' && n.type !== 'identifier' && n.type !== 'attribute') return false;
    const v = this.eval(n, state);
    return !!v.constant && !v.request?.length;
  }

  /** A collection the caller cannot choose: a constant literal, an UPPER_CASE module constant, an Enum of the file. */
  private isAllowListOperand(n: SyntaxNode, state: State): boolean {
    const text = this.t(n);
    if (n.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(text) && !state.env.has(text)) return true;
    if (/\bget_args\(/.test(text)) return true;
    for (const name of enumClasses(this.ctx)) if (new RegExp(`\\b${name}\\b`).test(text)) return true;
    const v = this.eval(n, state);
    return !v.request?.length && !!(v.constant || v.elem?.constant || (v.dict && v.dict.length > 0));
  }

  private noteSubjectFilter(pairs: Pair[], node: SyntaxNode): void {
    for (const p of pairs) {
      for (const [a, b] of [[p.left, p.right], [p.right, p.left]] as const) {
        if (!a.dbFrom?.length || !b.subject?.length || a.subject?.length) continue;
        for (const id of a.dbFrom) {
          const call = this.calls.find((c) => c.id === id);
          if (call && !call.subjectFilter) call.subjectFilter = node;
        }
      }
    }
  }

  /** Record the effect of a guard comparing `pair` (verified on the continuing path). */
  private applyGuard(pair: Pair, state: State, _denied: boolean): void {
    const sides: Array<[Value, Value]> = [[pair.left, pair.right], [pair.right, pair.left]];
    for (const [a, b] of sides) {
      const bTrusted = !!b.subject?.length;
      if (a.request?.length && bTrusted) for (const s of a.request) if (!b.subject!.some((x) => x.id === s.id)) state.verified.add(s.id);
      if (a.dbFrom?.length && bTrusted) for (const id of a.dbFrom) this.markPostChecked(id);
      // Fetch-then-check: the item's owner matches the caller, so the key it was fetched with is theirs.
      const k = a.dbFrom?.length ? a.keyedBy : undefined;
      if (k?.request?.length && bTrusted) for (const s of k.request) state.verified.add(s.id);
      if (this.mode === 'helper') {
        for (const i of a.params ?? []) {
          if (bTrusted) this.guardPairs.push([i, -1]);
          for (const j of b.params ?? []) if (i !== j) this.guardPairs.push([i, j]);
        }
        // fetch-then-check inside a helper: the item was keyed by a parameter
        if (a.dbFrom?.length) {
          for (const i of a.keyedBy?.params ?? []) {
            if (bTrusted) this.guardPairs.push([i, -1]);
            for (const j of b.params ?? []) if (i !== j) this.guardPairs.push([i, j]);
          }
        }
      }
    }
  }

  private markPostChecked(id: number): void {
    const call = this.calls.find((c) => c.id === id);
    if (call) call.postChecked = true;
  }

  /** Does this block deny access (raise 401/403/404, abort, return a 403 response) at its top level? */
  blockDenies(block: SyntaxNode | undefined, state: State): boolean {
    if (!block) return false;
    for (const stmt of block.children) {
      if (stmt.type === 'raise_statement') {
        const expr = stmt.children.find((c) => c.named);
        if (!expr) return false;
        if (this.isDenyExpression(expr, state)) return true;
      } else if (stmt.type === 'return_statement') {
        const expr = stmt.children.find((c) => c.named);
        if (expr && this.isDenyResponse(expr, state)) return true;
      } else if (stmt.type === 'expression_statement') {
        const call = stmt.children[0];
        if (call?.type === 'call' && this.isAbortCall(call)) return true;
      }
    }
    return false;
  }

  private calleeName(call: SyntaxNode): string {
    const f = field(call, 'function');
    if (!f) return '';
    const text = this.t(f);
    return text.slice(text.lastIndexOf('.') + 1);
  }

  private statusOf(node: SyntaxNode | undefined): number | undefined {
    if (!node) return undefined;
    if (node.type === 'integer') return Number(this.t(node));
    if (node.type === 'attribute' || node.type === 'identifier') return statusFromName(this.t(node));
    return undefined;
  }

  private callArg(call: SyntaxNode, index: number, kw: string[]): SyntaxNode | undefined {
    const args = field(call, 'arguments');
    if (!args) return undefined;
    for (const a of args.children) {
      if (a.type === 'keyword_argument' && kw.includes(this.t(field(a, 'name')!))) return field(a, 'value');
    }
    const positional = args.children.filter((c) => c.named && c.type !== 'keyword_argument' && c.type !== 'list_splat' && c.type !== 'dictionary_splat');
    return positional[index];
  }

  private isDenyExpression(expr: SyntaxNode, _state: State): boolean {
    const call = expr.type === 'call' ? expr : undefined;
    const name = call ? this.calleeName(call) : this.t(expr).split('.').pop()!;
    if (DENY_EXCEPTIONS.test(name)) return true;
    if (call && /HTTPException$|^HTTPError$|^HttpError$/.test(name)) {
      const status = this.statusOf(this.callArg(call, 0, ['status_code', 'code']));
      return status !== undefined && DENY_STATUS.has(status);
    }
    return false;
  }

  private isAbortCall(call: SyntaxNode): boolean {
    const name = this.calleeName(call);
    if (name !== 'abort') return false;
    const status = this.statusOf(this.callArg(call, 0, ['code', 'status']));
    return status !== undefined && DENY_STATUS.has(status);
  }

  private isDenyResponse(expr: SyntaxNode, state: State): boolean {
    if (expr.type === 'tuple' || expr.type === 'expression_list') {
      const items = expr.children.filter((c) => c.named);
      const status = this.statusOf(items[1]);
      return status !== undefined && DENY_STATUS.has(status);
    }
    if (expr.type === 'dictionary') {
      for (const pair of expr.children) {
        if (pair.type !== 'pair') continue;
        const k = field(pair, 'key');
        if (k && /^["']statusCode["']$/.test(this.t(k))) {
          const s = this.statusOf(field(pair, 'value'));
          return s !== undefined && DENY_STATUS.has(s);
        }
      }
      return false;
    }
    if (expr.type === 'call') {
      if (this.isAbortCall(expr)) return true;
      const name = this.calleeName(expr);
      if (/Response$|^make_response$/.test(name)) {
        const status = this.statusOf(this.callArg(expr, name === 'make_response' ? 1 : 99, ['status', 'status_code']));
        return status !== undefined && DENY_STATUS.has(status);
      }
    }
    void state;
    return false;
  }

  // ---- expressions --------------------------------------------------------------------------

  eval(node: SyntaxNode, state: State): Value {
    if (this.depth > MAX_DEPTH) return EMPTY;
    this.depth++;
    try {
      return this.evalInner(node, state);
    } finally {
      this.depth--;
    }
  }

  private lookup(name: string, state: State, node: SyntaxNode): Value {
    const local = state.env.get(name);
    if (local) return local;
    const global = this.ctx.globals.get(name);
    if (global) return global;
    const imp = this.ctx.structure.imports.get(name);
    if (imp) return this.importedValue(imp.qualified, node);
    if (this.ctx.structure.classes.has(name)) return this.classValue(name);
    return EMPTY;
  }

  private classValue(name: string): Value {
    const cls = this.ctx.structure.classes.get(name)!;
    const bases = cls.bases.map((b) => this.t(b));
    const qualified = bases.map((b) => this.qualify(b));
    if (qualified.some((q) => /pynamodb\.models\.Model$|^pynamodb\..*Model$/.test(q)) || (cls.hashKey && bases.some((b) => /Model$/.test(b)))) {
      return { obj: 'pynamoModel', name };
    }
    if (qualified.some((q) => /^pydantic\.|BaseModel$/.test(q)) || bases.some((b) => this.ctx.structure.classes.has(b) && this.classValue(b).obj === 'pydanticModel')) {
      return { obj: 'pydanticModel', name };
    }
    return { name };
  }

  /** Dotted name with the import prefix resolved: `boto3.resource`, `fastapi.Depends`. */
  qualify(dotted: string): string {
    const head = dotted.split('.')[0]!;
    const imp = this.ctx.structure.imports.get(head);
    if (!imp) return dotted;
    return imp.qualified + dotted.slice(head.length);
  }

  private importedValue(qualified: string, node: SyntaxNode): Value {
    switch (qualified) {
      case 'boto3':
        return { obj: 'boto3' };
      case 'aioboto3':
      case 'aiobotocore':
        return { obj: 'boto3' };
      case 'flask.request':
        return { obj: 'flaskRequest' };
      case 'flask.g':
        return { obj: 'flaskG' };
      case 'flask.session':
        return { obj: 'flaskSession' };
      case 'flask_login.current_user':
      case 'flask_jwt_extended.current_user':
        return this.subjectRead(node, 'the logged-in user (`current_user`)');
      default: {
        const fromWorkspace = this.ctx.imported(qualified);
        return fromWorkspace ?? EMPTY;
      }
    }
  }

  private subjectRead(node: SyntaxNode, label: string): Value {
    const src: Source = { id: `subject:${node.start}`, label, node };
    if (this.mode !== 'module' && !this.subjectReads.some((s) => s.node.start === node.start)) this.subjectReads.push(src);
    return { subject: [src] };
  }

  private requestRead(node: SyntaxNode, label: string, payload = false, id?: string): Value {
    const src: Source = { id: id ?? `request:${node.start}`, label, node };
    return payload ? { request: [src], payload: src } : { request: [src] };
  }

  private evalInner(node: SyntaxNode, state: State): Value {
    switch (node.type) {
      case 'identifier':
        return this.lookup(this.t(node), state, node);
      case 'string':
        return this.evalString(node, state);
      case 'concatenated_string':
        return joinAll(node.children.filter((c) => c.type === 'string').map((c) => this.eval(c, state)));
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return constant();
      case 'parenthesized_expression':
      case 'await': {
        const inner = node.children.find((c) => c.named);
        return inner ? this.eval(inner, state) : EMPTY;
      }
      case 'attribute':
        return this.evalAttribute(node, state);
      case 'subscript':
        return this.evalSubscript(node, state);
      case 'call':
        return this.evalCall(node, state);
      case 'binary_operator': {
        const l = this.eval(field(node, 'left')!, state);
        const r = this.eval(field(node, 'right')!, state);
        if (l.cond || r.cond) return { cond: [...(l.cond ?? []), ...(r.cond ?? [])] };
        return join(derivedOrSelf(l), derivedOrSelf(r));
      }
      case 'boolean_operator': {
        // `a or b` evaluates to one of its operands.
        const l = this.eval(field(node, 'left')!, state);
        const r = this.eval(field(node, 'right')!, state);
        return alternative(l, r);
      }
      case 'unary_operator':
      case 'not_operator':
      case 'comparison_operator':
        for (const c of node.children) if (c.named) this.eval(c, state);
        return EMPTY;
      case 'conditional_expression': {
        const parts = node.children.filter((c) => c.named);
        const cond = parts[1];
        if (cond) this.eval(cond, state);
        // `s if s in ALLOWED else "open"`: each branch sees what the condition proves.
        const branch = (part: SyntaxNode | undefined, truth: boolean): Value => {
          if (!part) return EMPTY;
          if (!cond || !this.validatedBy(cond, truth, state).length) return this.eval(part, state);
          const s = forkState(state);
          this.narrow(cond, truth, s);
          return this.eval(part, s);
        };
        return alternative(branch(parts[0], true), branch(parts[2], false));
      }
      case 'dictionary':
        return this.evalDict(node, state);
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list': {
        const items = node.children.filter((c) => c.named).map((c) => (c.type === 'list_splat' ? elementOf(this.eval(c.children.find((x) => x.named)!, state)) : this.eval(c, state)));
        const elem = joinAll(items);
        const out: Value = { elem };
        if (items.every((i) => i.constant)) out.constant = true;
        return out;
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
      case 'dictionary_comprehension':
        return this.evalComprehension(node, state);
      case 'named_expression': {
        const v = this.eval(field(node, 'value')!, state);
        const name = field(node, 'name');
        if (name) state.env.set(this.t(name), v);
        return v;
      }
      case 'lambda':
        return EMPTY;
      case 'keyword_argument': {
        const v = field(node, 'value');
        return v ? this.eval(v, state) : EMPTY;
      }
      case 'list_splat':
      case 'dictionary_splat': {
        const inner = node.children.find((c) => c.named);
        return inner ? this.eval(inner, state) : EMPTY;
      }
      default:
        return EMPTY;
    }
  }

  private evalString(node: SyntaxNode, state: State): Value {
    const interps = node.children.filter((c) => c.type === 'interpolation');
    if (interps.length === 0) {
      const content = node.children.filter((c) => c.type === 'string_content').map((c) => this.t(c)).join('');
      return constant(content);
    }
    let out: Value = {};
    for (const i of interps) {
      const e = i.children.find((c) => c.named && c.type !== 'format_specifier' && c.type !== 'type_conversion');
      if (e) out = join(out, derivedOrSelf(this.eval(e, state)));
    }
    return out;
  }

  private evalDict(node: SyntaxNode, state: State): Value {
    const entries: DictEntry[] = [];
    let rest: Value = EMPTY;
    let allConst = true;
    for (const c of node.children) {
      if (c.type === 'pair') {
        const k = field(c, 'key')!;
        const v = field(c, 'value')!;
        const kv = this.eval(k, state);
        const vv = this.eval(v, state);
        if (!vv.constant) allConst = false;
        if (kv.str !== undefined) entries.push({ key: kv.str, keyNode: k, valueNode: v, value: vv });
        else rest = join(rest, join(keyTaint(kv), derivedOrSelf(vv)));
      } else if (c.type === 'dictionary_splat') {
        const inner = c.children.find((x) => x.named);
        const v = inner ? this.eval(inner, state) : EMPTY;
        allConst = false;
        // `{**body}` copies every key of the payload: still the whole payload.
        rest = join(rest, v.dict ? joinAll(v.dict.map((e) => e.value)) : v);
        if (v.dict) entries.push(...v.dict);
        if (v.payload) rest = { ...rest, payload: v.payload };
      }
    }
    const out: Value = { ...(isEmpty(rest) ? {} : spreadCarry(rest)), dict: entries };
    // Narrowing: a dict literal of chosen fields is not a whole item unless an entry is.
    const whole = new Map<number, DbLevel>();
    for (const e of entries) for (const [id, lvl] of e.value.dbWhole ?? []) whole.set(id, lvl);
    for (const [id, lvl] of rest.dbWhole ?? []) whole.set(id, lvl);
    if (whole.size) out.dbWhole = whole;
    const dbFrom = entries.flatMap((e) => e.value.dbFrom ?? []);
    if (dbFrom.length) out.dbFrom = [...new Set([...(out.dbFrom ?? []), ...dbFrom])];
    const req = entries.flatMap((e) => e.value.request ?? []);
    if (req.length) out.request = [...(out.request ?? []), ...req];
    const subj = entries.flatMap((e) => e.value.subject ?? []);
    if (subj.length) out.subject = [...(out.subject ?? []), ...subj];
    const params = entries.flatMap((e) => e.value.params ?? []);
    if (params.length) out.params = [...new Set([...(out.params ?? []), ...params])];
    if (allConst) out.constant = true;
    return out;
  }

  private evalComprehension(node: SyntaxNode, state: State): Value {
    const local: State = { env: new Map(state.env), verified: state.verified, validated: state.validated, terminated: false };
    let filtered = false;
    let iterPayload: Source | undefined;
    for (const c of node.children) {
      if (c.type === 'for_in_clause') {
        const right = field(c, 'right');
        const iter = right ? this.eval(right, local) : EMPTY;
        if (iter.payloadIter || iter.payload) iterPayload = iter.payloadIter ?? iter.payload;
        if (iter.constant || iter.elem?.constant) filtered = true;
        const left = field(c, 'left');
        if (left) this.bind(left, elementOf(iter), local);
      } else if (c.type === 'if_clause') {
        const cond = c.children.find((x) => x.named);
        if (cond && this.isAllowListCheck(cond, local)) filtered = true;
        // `[i for i in resp["Items"] if i["owner_id"] == user.id]`: a Python-side owner filter.
        if (cond && this.mode === 'handler' && /==/.test(this.t(cond))) this.noteSubjectFilter(this.comparePairs(cond, local).match, cond);
      }
    }
    const body = field(node, 'body');
    let elem = EMPTY;
    if (body?.type === 'pair') {
      elem = join(this.eval(field(body, 'key')!, local), this.eval(field(body, 'value')!, local));
    } else if (body) {
      elem = this.eval(body, local);
    }
    const out: Value = { ...derivedOrSelf(elem), elem };
    if (elem.dbWhole) out.dbWhole = elem.dbWhole;
    if (iterPayload && !filtered) out.payload = iterPayload;
    if (filtered) out.filtered = true;
    return out;
  }

  /** `k in ALLOWED`, `k in {"a", "b"}`, `k not in DENIED`? (only positive membership counts). */
  private isAllowListCheck(cond: SyntaxNode, state: State): boolean {
    if (cond.type !== 'comparison_operator') {
      if (cond.type === 'boolean_operator') return cond.children.some((c) => c.named && this.isAllowListCheck(c, state));
      return false;
    }
    const ops = cond.children.filter((c) => !c.named).map((c) => c.type).join(' ');
    if (ops !== 'in') return false;
    const right = cond.children.filter((c) => c.named)[1];
    if (!right) return false;
    // UPPER_CASE module constants are allow-lists by convention (`ALLOWED_FIELDS = set()` still is one).
    if (right.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(this.t(right)) && !state.env.has(this.t(right))) return true;
    const v = this.eval(right, state);
    return !!(v.constant || v.elem?.constant || (v.dict && v.dict.length > 0 && !v.request));
  }

  private evalAttribute(node: SyntaxNode, state: State): Value {
    const objNode = field(node, 'object')!;
    const attrNode = field(node, 'attribute')!;
    const attr = this.t(attrNode);
    // `self.table` bound in __init__ (engine puts `self.<attr>` into the method's env).
    if (objNode.type === 'identifier') {
      const dotted = this.t(node);
      const bound = state.env.get(dotted) ?? this.ctx.globals.get(dotted);
      if (bound) return bound;
    }
    const base = this.eval(objNode, state);
    switch (base.obj) {
      case 'flaskRequest':
        if (['args', 'form', 'values', 'data', 'view_args', 'headers', 'cookies', 'files', 'json'].includes(attr)) {
          return this.requestRead(node, `\`request.${attr}\``, attr === 'json' || attr === 'form' || attr === 'values');
        }
        return base;
      case 'flaskG':
        if (G_SUBJECT.test(attr)) return this.subjectRead(node, `\`g.${attr}\``);
        return EMPTY;
      case 'chaliceApp':
        if (attr === 'current_request') return { obj: 'chaliceRequest' };
        return EMPTY;
      case 'chaliceRequest':
        if (['uri_params', 'query_params', 'json_body', 'raw_body', 'headers', 'method'].includes(attr)) {
          return this.requestRead(node, `\`current_request.${attr}\``, attr === 'json_body');
        }
        if (attr === 'context') return { obj: 'chaliceContext' };
        return EMPTY;
      case 'starletteRequest':
        if (['query_params', 'path_params', 'headers', 'cookies'].includes(attr)) return this.requestRead(node, `\`request.${attr}\``);
        return EMPTY;
      case 'pynamoItem': {
        const out = derived(base);
        for (const id of base.dbFrom ?? []) this.calls.find((c) => c.id === id)?.usedFields.add(attr);
        return out;
      }
      case 'boto3':
        return attr === 'session' || attr === 'Session' ? { obj: 'boto3' } : EMPTY;
      case 'pydanticInstance':
        return { ...derived(base) };
      default:
        break;
    }
    if (base.model && base.request?.length && modelFieldValidated(this.ctx, base.model, attr)) return { ...derived(base), checked: true };
    if (base.dict) {
      const e = dictGet(base, attr);
      if (e) return e.value;
    }
    if (base.dbWhole) {
      // Attribute of a whole item (pynamo) is a field; of a response it is metadata.
      return derived(base);
    }
    const out = derived(base);
    if (base.obj === 'table' && attr === 'meta') return EMPTY;
    return out;
  }

  private evalSubscript(node: SyntaxNode, state: State): Value {
    const baseNode = field(node, 'value')!;
    const subNode = field(node, 'subscript');
    const base = this.eval(baseNode, state);
    const key = subNode ? this.eval(subNode, state) : EMPTY;
    if (baseNode.type === 'identifier' && enumClasses(this.ctx).has(this.t(baseNode))) return { ...derived(key), checked: true };
    return this.index(base, key.str, node, key);
  }

  /** `base[key]` and `base.get(key)`. */
  private index(base: Value, key: string | undefined, node: SyntaxNode, keyValue: Value = EMPTY): Value {
    switch (base.obj) {
      case 'lambdaEvent':
        if (key && ['pathParameters', 'queryStringParameters', 'multiValueQueryStringParameters', 'headers', 'multiValueHeaders'].includes(key)) {
          return { ...this.requestRead(node, `\`event["${key}"]\``), obj: undefined } as Value;
        }
        if (key === 'body') return this.requestRead(node, '`event["body"]`', true);
        if (key === 'requestContext') return { obj: 'lambdaRequestContext' };
        return EMPTY;
      case 'lambdaRequestContext':
        if (key === 'authorizer' || key === 'identity') return this.subjectRead(node, `\`event["requestContext"]["${key}"]\``);
        return EMPTY;
      case 'chaliceContext':
        if (key === 'authorizer' || key === 'identity') return this.subjectRead(node, `\`current_request.context["${key}"]\``);
        return EMPTY;
      case 'flaskSession':
        return this.subjectRead(node, `\`session[${key ? JSON.stringify(key) : '...'}]\``);
      default:
        break;
    }
    if (base.dbWhole) {
      const next = new Map<number, DbLevel>();
      for (const [id, lvl] of base.dbWhole) {
        if (lvl === 'response' && (key === 'Item' || key === 'Attributes')) next.set(id, 'item');
        else if (lvl === 'response' && (key === 'Items' || key === 'Responses')) next.set(id, 'items');
        else if (lvl === 'items' && key === undefined) next.set(id, 'item');
        else if (lvl === 'item' && key !== undefined) this.calls.find((c) => c.id === id)?.usedFields.add(key);
      }
      const out = derived(base);
      if (next.size) out.dbWhole = next;
      return out;
    }
    if (base.dict && key !== undefined) {
      const e = dictGet(base, key);
      if (e) return e.value;
    }
    if (base.elem && key === undefined) return join(base.elem, keyTaint(keyValue));
    // `STATUS_BY_NAME[request_value]`: drawn from a constant mapping (KeyError otherwise).
    if (base.constant && base.dict && keyValue.request?.length) return { ...derived(keyValue), checked: true };
    // A field of the payload is request input, not the whole payload.
    return join(derived(base), keyTaint(keyValue));
  }

  // ---- calls --------------------------------------------------------------------------------

  private evalArgs(call: SyntaxNode, state: State) {
    const args: Array<{ node: SyntaxNode; value: Value }> = [];
    const kwargs = new Map<string, { node: SyntaxNode; value: Value; argNode: SyntaxNode }>();
    let splat: Value = EMPTY;
    const list = field(call, 'arguments');
    for (const a of list?.children ?? []) {
      if (!a.named) continue;
      if (a.type === 'keyword_argument') {
        const name = this.t(field(a, 'name')!);
        const v = field(a, 'value')!;
        kwargs.set(name, { node: v, value: this.eval(v, state), argNode: a });
      } else if (a.type === 'dictionary_splat') {
        const inner = a.children.find((c) => c.named);
        const v = inner ? this.eval(inner, state) : EMPTY;
        if (v.dict) for (const e of v.dict) kwargs.set(e.key, { node: e.valueNode, value: e.value, argNode: a });
        splat = join(splat, v);
      } else if (a.type === 'list_splat') {
        const inner = a.children.find((c) => c.named);
        splat = join(splat, inner ? this.eval(inner, state) : EMPTY);
      } else {
        args.push({ node: a, value: this.eval(a, state) });
      }
    }
    if (list?.type === 'generator_expression') args.push({ node: list, value: this.eval(list, state) });
    return { args, kwargs, splat };
  }

  private evalCall(node: SyntaxNode, state: State): Value {
    const fnNode = field(node, 'function')!;
    const { args, kwargs, splat } = this.evalArgs(node, state);
    const allArgs = joinAll([...args.map((a) => a.value), ...[...kwargs.values()].map((k) => k.value), splat]);

    if (fnNode.type === 'attribute') {
      const recvNode = field(fnNode, 'object')!;
      const method = this.t(field(fnNode, 'attribute')!);
      const dotted = this.t(fnNode);
      const q = this.qualify(dotted);
      const special = this.knownCall(q, node, args, kwargs, allArgs, state);
      if (special) return special;
      const recv = this.eval(recvNode, state);
      return this.methodCall(node, recvNode, recv, method, args, kwargs, allArgs, state);
    }
    if (fnNode.type === 'identifier') {
      const name = this.t(fnNode);
      const local = state.env.get(name);
      const q = this.qualify(name);
      const special = this.knownCall(q, node, args, kwargs, allArgs, state);
      if (special) return special;
      if (local?.obj === 'pynamoModel' || local?.obj === 'pydanticModel') return this.construct(local, node, args, kwargs, allArgs);
      const cls = this.ctx.structure.classes.get(name);
      // `Status(value)` raises on anything but a member: a validation.
      if (cls && enumClasses(this.ctx).has(name)) return { ...derived(allArgs), checked: true };
      if (cls) return this.construct(this.classValue(name), node, args, kwargs, allArgs);
      const fn = this.ctx.structure.topFunctions.get(name);
      if (fn) return this.callLocalFunction(fn, node, args, kwargs, state);
      if (this.ctx.isAuthFunction(name)) return this.subjectRead(node, `\`${name}()\``);
      const imported = this.ctx.structure.imports.get(name);
      const pairs = imported ? this.ctx.importedGuard(imported.qualified) : undefined;
      if (pairs?.length) {
        for (const [i, j] of pairs) {
          const a = args[i]?.value;
          const b = j === -1 ? { subject: [{ id: `subject:${node.start}`, label: `\`${name}()\``, node }] } : args[j]?.value;
          if (a && b) this.applyGuard({ left: a, right: b }, state, true);
        }
        this.guardCalls.push(node);
        return EMPTY;
      }
      if (imported) {
        const v = this.ctx.imported(imported.qualified + '()');
        if (v) {
          if (v.subject) return this.subjectRead(node, `\`${name}()\``);
          return v;
        }
      }
      if (['str', 'int', 'float', 'bool', 'dict', 'list', 'tuple', 'set', 'frozenset', 'sorted', 'reversed', 'Decimal', 'escape', 'quote', 'unquote'].includes(name)) {
        if (name === 'dict') {
          // dict(base, k=v): the base's taint (a whole payload stays one) plus known keyword entries.
          const entries = [...kwargs].map(([k, v]) => ({ key: k, keyNode: v.argNode, valueNode: v.node, value: v.value }));
          const base = args[0]?.value ?? EMPTY;
          return { ...spreadCarry(base), ...(base.constant && !kwargs.size ? { constant: true } : {}), dict: [...(base.dict ?? []), ...entries] };
        }
        const first = args[0]?.value ?? EMPTY;
        if (name === 'list' || name === 'sorted' || name === 'tuple') return first;
        return derived(first);
      }
      if (name === 'getattr' || name === 'vars') return derived(allArgs);
      if (['len', 'isinstance', 'hasattr', 'print', 'range', 'enumerate', 'zip', 'min', 'max', 'any', 'all'].includes(name)) {
        if (name === 'enumerate' || name === 'zip') return { elem: joinAll(args.map((a) => elementOf(a.value))) };
        if (name === 'min' || name === 'max') {
          const out = derived(allArgs);
          // `min(int(x), MAX_PAGE)`: an upper bound the caller cannot exceed.
          if (name === 'min' && args.length >= 2 && args.some((a) => !a.value.request?.length && (a.value.constant || /^[A-Z][A-Z0-9_]*$/.test(this.t(a.node))))) out.checked = true;
          return out;
        }
        return constant();
      }
    }
    // Unknown callee: keep taint of the arguments (a key run through `normalize()` is still chosen
    // by the caller) but nothing structural.
    this.eval(fnNode, state);
    return derived(allArgs);
  }

  /** Calls recognised by their qualified name. */
  private knownCall(
    q: string,
    node: SyntaxNode,
    args: Array<{ node: SyntaxNode; value: Value }>,
    kwargs: Map<string, { node: SyntaxNode; value: Value; argNode: SyntaxNode }>,
    allArgs: Value,
    state: State,
  ): Value | undefined {
    const firstStr = args[0]?.value.str ?? kwargs.get('service_name')?.value.str;
    switch (q) {
      case 'boto3.resource':
      case 'boto3.session.Session.resource':
        return firstStr === 'dynamodb' ? { obj: 'dynamoResource' } : EMPTY;
      case 'boto3.client':
        return firstStr === 'dynamodb' ? { obj: 'dynamoClient' } : EMPTY;
      case 'boto3.Session':
      case 'boto3.session.Session':
      case 'aioboto3.Session':
      case 'aioboto3.session.Session':
        return { obj: 'session' };
      case 'fastapi.FastAPI':
      case 'fastapi.APIRouter':
      case 'fastapi.routing.APIRouter': {
        const deps = kwargs.get('dependencies');
        const v: Value = { obj: q.endsWith('FastAPI') ? 'fastapiApp' : 'apiRouter' };
        if (deps && this.hasAuthDependency(deps.node)) v.name = 'authenticated';
        return v;
      }
      case 'flask.Flask':
        return { obj: 'flaskApp' };
      case 'flask.Blueprint':
        return { obj: 'blueprint' };
      case 'chalice.Chalice':
        return { obj: 'chaliceApp' };
      case 'flask.request.get_json':
      case 'flask.request.get_data':
        return this.requestRead(node, '`request.get_json()`', true);
      case 'json.loads':
      case 'simplejson.loads':
      case 'orjson.loads':
      case 'ujson.loads': {
        const v = args[0]?.value ?? EMPTY;
        return v.payload ? v : derived(v);
      }
      case 'json.dumps':
      case 'fastapi.encoders.jsonable_encoder':
      case 'flask.json.jsonify':
      case 'flask.jsonify':
      case 'flask.make_response':
      case 'fastapi.responses.JSONResponse':
      case 'starlette.responses.JSONResponse':
      case 'chalice.Response':
      case 'flask.Response':
        return allArgs;
      case 'flask_jwt_extended.get_jwt_identity':
      case 'flask_jwt_extended.get_jwt':
      case 'flask_jwt_extended.get_current_user':
        return this.subjectRead(node, `\`${q.split('.').pop()}()\``);
      case 'boto3.dynamodb.conditions.Key':
      case 'boto3.dynamodb.conditions.Attr':
        return { obj: 'conditionBuilder', name: `${q.endsWith('Key') ? 'Key' : 'Attr'}:${firstStr ?? ''}` };
      default:
        break;
    }
    if (FRESH_CALL.test(q)) return { fresh: node };
    // Parsers that reject malformed input are format checks.
    if (VALIDATING_CALL.test(q)) return { ...derived(allArgs), checked: true };
    if (/^traceback\.(format_exc|format_exception|format_tb|format_stack|print_exc)$/.test(q) || q === 'sys.exc_info') {
      return { error: { id: `error:${node.start}`, label: `\`${q}()\``, node } };
    }
    if (/^(fastapi\.)?(Depends|Security)$/.test(q)) return EMPTY;
    void state;
    return undefined;
  }

  hasAuthDependency(listNode: SyntaxNode): boolean {
    for (const c of listNode.children) {
      if (c.type !== 'call') continue;
      const callee = field(c, 'function');
      if (!callee || !/^(Depends|Security)$/.test(this.t(callee).split('.').pop()!)) continue;
      const arg = field(c, 'arguments')?.children.find((x) => x.named);
      if (arg && this.ctx.isAuthFunction(this.t(arg).split('.').pop()!)) return true;
    }
    return false;
  }

  private construct(
    cls: Value,
    node: SyntaxNode,
    args: Array<{ node: SyntaxNode; value: Value }>,
    kwargs: Map<string, { node: SyntaxNode; value: Value; argNode: SyntaxNode }>,
    allArgs: Value,
  ): Value {
    if (cls.obj === 'pynamoModel') {
      const info = this.ctx.structure.classes.get(cls.name ?? '');
      const key = args[0]?.value ?? (info?.hashKey ? kwargs.get(info.hashKey)?.value : undefined) ?? kwargs.get('hash_key')?.value ?? EMPTY;
      const out: Value = { obj: 'pynamoItem', key, ...derived(allArgs) };
      if (cls.name) out.name = cls.name;
      // Attribute values by name, for rules about what a save() writes.
      const entries = [...kwargs].filter(([k]) => k !== 'hash_key' && k !== 'range_key').map(([k, v]) => ({ key: k, keyNode: v.argNode, valueNode: v.node, value: v.value }));
      if (entries.length) out.dict = entries;
      if (allArgs.payload) out.payload = allArgs.payload;
      void node;
      return out;
    }
    // A Pydantic model built from an item keeps only the model's fields: narrowed.
    const out: Value = { ...derived(allArgs), obj: 'pydanticInstance' };
    if (cls.name) out.name = cls.name;
    return out;
  }

  private methodCall(
    node: SyntaxNode,
    recvNode: SyntaxNode,
    recv: Value,
    method: string,
    args: Array<{ node: SyntaxNode; value: Value }>,
    kwargs: Map<string, { node: SyntaxNode; value: Value; argNode: SyntaxNode }>,
    allArgs: Value,
    state: State,
  ): Value {
    const methodNode = field(field(node, 'function')!, 'attribute')!;
    switch (recv.obj) {
      case 'boto3':
      case 'session':
        if (method === 'resource' && (args[0]?.value.str ?? kwargs.get('service_name')?.value.str) === 'dynamodb') return { obj: 'dynamoResource' };
        if (method === 'client' && (args[0]?.value.str ?? kwargs.get('service_name')?.value.str) === 'dynamodb') return { obj: 'dynamoClient' };
        if (method === 'Session') return { obj: 'session' };
        return EMPTY;
      case 'dynamoResource':
        if (method === 'Table') {
          const v: Value = { obj: 'table' };
          const name = args[0]?.value.str ?? kwargs.get('name')?.value.str;
          if (name) v.name = name;
          return v;
        }
        return EMPTY;
      case 'table':
        if (method === 'batch_writer') return { obj: 'batchWriter', ...(recv.name ? { name: recv.name } : {}) };
        if (TABLE_METHODS.has(method)) return this.recordCall(node, methodNode, recvNode, recv, method, 'resource', args, kwargs, state);
        return EMPTY;
      case 'dynamoClient':
        if (CLIENT_METHODS.has(method)) return this.recordCall(node, methodNode, recvNode, recv, method, 'client', args, kwargs, state);
        return EMPTY;
      case 'batchWriter':
        if (method === 'put_item' || method === 'delete_item') return this.recordCall(node, methodNode, recvNode, recv, method, 'batch', args, kwargs, state);
        return EMPTY;
      case 'pynamoModel':
        if (PYNAMO_CLASS_METHODS.has(method)) return this.recordCall(node, methodNode, recvNode, recv, method, 'pynamo', args, kwargs, state);
        return EMPTY;
      case 'pynamoItem':
        if (PYNAMO_ITEM_METHODS.has(method)) return this.recordCall(node, methodNode, recvNode, recv, method, 'pynamo', args, kwargs, state);
        return EMPTY;
      case 'conditionBuilder': {
        const [builder, attr] = (recv.name ?? ':').split(':') as ['Key' | 'Attr', string];
        // `between(low, high)`: either bound may be request input.
        const value = method === 'between' ? join(args[0]?.value ?? EMPTY, args[1]?.value ?? EMPTY) : args[0]?.value ?? EMPTY;
        return { cond: [{ builder, attr, op: method, value, node }] };
      }
      case 'flaskRequest':
        if (method === 'get_json' || method === 'get_data') return this.requestRead(node, `\`request.${method}()\``, true);
        return EMPTY;
      case 'starletteRequest':
        if (method === 'json' || method === 'form' || method === 'body') return this.requestRead(node, `\`await request.${method}()\``, true);
        return EMPTY;
      case 'pydanticInstance':
        return derived(recv);
      case 'fastapiApp':
      case 'apiRouter':
        if (method === 'include_router') {
          const deps = kwargs.get('dependencies');
          const routerArg = args[0]?.node;
          if (deps && routerArg?.type === 'identifier' && this.hasAuthDependency(deps.node)) {
            const name = this.t(routerArg);
            const v = this.ctx.globals.get(name);
            if (v) this.ctx.globals.set(name, { ...v, name: 'authenticated' });
          }
        }
        return EMPTY;
      default:
        break;
    }
    // PynamoDB update actions `User.role.set(x)`: keep which attribute gets which value.
    if (!recv.obj && PYNAMO_ACTIONS.has(method) && recvNode.type === 'attribute' && this.eval(field(recvNode, 'object')!, state).obj === 'pynamoModel') {
      const attr = this.t(field(recvNode, 'attribute')!);
      return { ...derived(allArgs), cond: [{ builder: 'Attr', attr, op: method, value: args[0]?.value ?? EMPTY, node }] };
    }
    // Unresolved receiver: accept well-known DynamoDB-only call shapes (`get_item(Key=...)`).
    if (!recv.obj && (CLIENT_METHODS.has(method) || method === 'batch_writer')) {
      const dynamoKw = [...kwargs.keys()].some((k) => DYNAMO_ONLY_KWARGS.has(k));
      if (dynamoKw) return this.recordCall(node, methodNode, recvNode, recv, method, 'unknown', args, kwargs, state);
    }
    // Payload methods.
    if (recv.payload || (recv.request && recv.model)) {
      if (['dict', 'model_dump', 'json', 'model_dump_json', 'copy', 'to_dict'].includes(method)) {
        const src = recv.payload ?? recv.request![0]!;
        // `model_dump(include={...})` is an allow-list; `exclude=` is a deny-list and still the whole payload.
        if (kwargs.has('include')) return { request: recv.request ?? [src], filtered: true };
        return { request: recv.request ?? [src], payload: src };
      }
      if (['items', 'keys', 'values'].includes(method)) {
        const src = recv.payload ?? recv.request![0]!;
        const elem = derived(recv);
        return { ...derived(recv), payloadIter: src, elem: method === 'items' ? { ...elem, elem } : elem };
      }
    }
    // Signed or encrypted tokens (itsdangerous, Fernet): the caller cannot forge their content.
    if (method === 'unsign' || method === 'decrypt' || (method === 'loads' && /serializer|signer/i.test(this.t(recvNode)))) return { ...derived(allArgs), checked: true };
    if (method === 'get' || method === 'pop' || method === 'setdefault') {
      const key = args[0]?.value.str;
      const fallback = args[1]?.value ?? EMPTY;
      return alternative(this.index(recv, key, node), fallback.dict || fallback.elem ? EMPTY : derived(fallback));
    }
    if (['append', 'extend', 'add', 'update', 'insert', 'appendleft'].includes(method) && recvNode.type === 'identifier') {
      const name = this.t(recvNode);
      const old = state.env.get(name) ?? this.ctx.globals.get(name) ?? EMPTY;
      const added = method === 'insert' ? args[1]?.value ?? EMPTY : allArgs;
      const merged: Value = join(old, method === 'update' ? added : { elem: added, ...derivedOrSelf(added) });
      if (old.dict && added.dict) merged.dict = [...old.dict, ...added.dict];
      state.env.set(name, merged);
      return EMPTY;
    }
    if (method === 'join') return join(derived(recv), derivedOrSelf(args[0]?.value.elem ? join(args[0].value, args[0].value.elem) : allArgs));
    if (method === 'format' || method === 'format_map') return join(derived(recv), derivedOrSelf(allArgs));
    if (['strip', 'lower', 'upper', 'lstrip', 'rstrip', 'replace', 'split', 'encode', 'decode', 'title', 'casefold', 'hex', 'isoformat'].includes(method)) return derived(join(recv, allArgs));
    if (method === 'model_validate' || method === 'parse_obj' || method === 'from_orm' || method === 'model_construct') {
      return { ...derived(allArgs), obj: 'pydanticInstance' };
    }
    return join(derived(recv), derived(allArgs));
  }

  private callLocalFunction(
    fn: FunctionInfo,
    node: SyntaxNode,
    args: Array<{ node: SyntaxNode; value: Value }>,
    kwargs: Map<string, { node: SyntaxNode; value: Value; argNode: SyntaxNode }>,
    state: State,
  ): Value {
    const summary = this.ctx.summary(fn.name);
    const argAt = (i: number): Value | undefined => {
      const p = fn.params[i];
      if (!p) return undefined;
      return kwargs.get(p.name)?.value ?? args[i]?.value;
    };
    if (!summary) return EMPTY;
    if (summary.isAuth) return this.subjectRead(node, `\`${fn.name}()\``);
    // Guard helpers: `ensure_owner(note_id, user)` verifies note_id from here on.
    if (summary.guardPairs.length) {
      let applied = false;
      for (const [i, j] of summary.guardPairs) {
        const a = argAt(i);
        const b = j === -1 ? { subject: [{ id: `subject:${node.start}`, label: `\`${fn.name}()\``, node }] } : argAt(j);
        if (!a || !b) continue;
        this.applyGuard({ left: a, right: b }, state, true);
        if (this.mode === 'helper') {
          for (const pi of a.params ?? []) for (const pj of j === -1 ? [-1] : b.params ?? []) if (pi !== pj) this.guardPairs.push([pi, pj]);
        }
        applied = true;
      }
      if (applied) this.guardCalls.push(node);
    }
    // Substitute the arguments into the summary's return value.
    const ret = summary.returns;
    let out: Value = { ...ret };
    delete out.params;
    if (ret.subject?.length) out = { ...out, subject: [{ id: `subject:${node.start}`, label: `\`${fn.name}()\``, node }] };
    if (ret.request?.length) out = { ...out, request: [{ id: `request:${node.start}`, label: `\`${fn.name}()\``, node }] };
    for (const i of ret.params ?? []) {
      const a = argAt(i);
      if (a) out = join(out, a);
    }
    if (ret.keyedBy) {
      let keyed: Value = { ...ret.keyedBy };
      delete keyed.params;
      for (const i of ret.keyedBy.params ?? []) {
        const a = argAt(i);
        if (a) keyed = join(keyed, a);
      }
      out.keyedBy = keyed;
    }
    return out;
  }

  // ---- table calls --------------------------------------------------------------------------

  private recordCall(
    node: SyntaxNode,
    methodNode: SyntaxNode,
    recvNode: SyntaxNode,
    recv: Value,
    method: string,
    api: TableCall['api'],
    args: Array<{ node: SyntaxNode; value: Value }>,
    kwargs: Map<string, { node: SyntaxNode; value: Value; argNode: SyntaxNode }>,
    state: State,
  ): Value {
    const id = this.ctx.nextCallId();
    const isPynamoItem = api === 'pynamo' && recv.obj === 'pynamoItem';
    const isRead = READ_METHODS.has(method) || (api === 'pynamo' && !isPynamoItem && PYNAMO_CLASS_METHODS.has(method));
    const isWrite = WRITE_METHODS.has(method) || (isPynamoItem && method !== 'refresh');
    const call: TableCall = {
      id,
      node,
      methodNode,
      method,
      api,
      receiver: recvNode,
      receiverValue: recv,
      kwargs,
      args,
      keys: [],
      statement: this.currentStatement ?? node,
      verified: new Set(state.verified),
      validated: new Set(state.validated),
      ...(this.loops.length ? { loop: this.loops[this.loops.length - 1]! } : {}),
      postChecked: false,
      conditionBindsSubject: false,
      usedFields: new Set(),
      isRead,
      isWrite,
      fn: this.fn!,
    };
    if (recv.name && recv.obj !== 'pynamoModel' && recv.obj !== 'pynamoItem') call.tableName = recv.name;
    if (recv.obj === 'pynamoModel' || recv.obj === 'pynamoItem') call.pynamoModel = recv.name ?? '';
    call.keys = extractKeys(call, recv, this.ctx.structure, (t) => this.ctx.keySchema(t));
    call.conditionBindsSubject = conditionBindsSubject(call);
    if (this.mode !== 'module') this.calls.push(call);
    if (!isRead) return { dbFrom: [id] };
    const keyedBy = call.keys.reduce<Value>((acc, k) => join(acc, derived(k.value)), EMPTY);
    if (api === 'pynamo') {
      const whole = new Map<number, DbLevel>([[id, method === 'get' ? 'item' : 'items']]);
      const item: Value = { obj: 'pynamoItem', dbWhole: new Map([[id, 'item']]), dbFrom: [id], key: call.keys[0]?.value ?? EMPTY, keyedBy };
      if (call.pynamoModel) item.name = call.pynamoModel;
      return method === 'get' ? { ...item, dbWhole: whole } : { dbWhole: whole, dbFrom: [id], elem: item, keyedBy };
    }
    return { dbWhole: new Map([[id, 'response']]), dbFrom: [id], keyedBy };
  }
}

/**
 * `a or b`, `x if c else y`, `d.get(k, default)`: either operand, not a combination. When one
 * side may be request input the caller controls the result, so the other side's subject taint
 * does not make it trusted.
 */
function alternative(a: Value, b: Value): Value {
  if (!(a.request?.length && b.subject?.length) && !(b.request?.length && a.subject?.length)) return join(a, b);
  const j = { ...join(a, b) };
  delete j.subject;
  return j;
}

/** An independent copy of a state for one branch. */
function forkState(state: State): State {
  return { env: new Map(state.env), verified: new Set(state.verified), validated: new Set(state.validated), terminated: false };
}

function derivedOrSelf(v: Value): Value {
  const d = derived(v);
  if (v.payload) d.payload = v.payload;
  if (v.dbWhole) d.dbWhole = v.dbWhole;
  if (v.cond) d.cond = v.cond;
  return d;
}

/** A dict key built from the payload's keys carries the payload (`{f":{k}": v for k, v in body.items()}`). */
function keyTaint(k: Value): Value {
  return derivedOrSelf(k);
}

function spreadCarry(v: Value): Value {
  const out = derived(v);
  if (v.payload) out.payload = v.payload;
  if (v.dbWhole) out.dbWhole = v.dbWhole;
  if (v.filtered) out.filtered = true;
  return out;
}

/** Value of one element when iterating `v`. */
export function elementOf(v: Value): Value {
  let out: Value = v.elem ? { ...v.elem } : derived(v);
  if (v.dbWhole) {
    const next = new Map<number, DbLevel>();
    for (const [id, lvl] of v.dbWhole) if (lvl === 'items') next.set(id, 'item');
    if (next.size) out = { ...out, dbWhole: next };
  }
  if (v.payloadIter) out = { ...out, payload: v.payloadIter };
  else if (v.payload) out = { ...out, payload: v.payload };
  if (v.constant && !out.request) out.constant = true;
  return out;
}

function mergeEnvInto(into: Map<string, Value>, from: Map<string, Value>): void {
  for (const [k, v] of from) {
    const old = into.get(k);
    into.set(k, old ? (old === v ? v : mergeKeepStructure(old, v)) : v);
  }
}

function mergeKeepStructure(a: Value, b: Value): Value {
  const j = join(a, b);
  // Keep object identity (a table assigned in both branches is still a table).
  if (a.obj && !j.obj && !b.obj) j.obj = a.obj;
  if (b.obj && !j.obj && !a.obj) j.obj = b.obj;
  if (a.dict || b.dict) j.dict = [...(a.dict ?? []), ...(b.dict ?? [])];
  if (a.key || b.key) j.key = join(a.key ?? EMPTY, b.key ?? EMPTY);
  if (j.obj && (a.name ?? b.name)) j.name = a.name ?? b.name;
  return j;
}

function asAlias(clause: SyntaxNode): SyntaxNode | undefined {
  // tree-sitter-python: `except E as e` => as_pattern(E, as_pattern_target(e))
  const asp = clause.children.find((c) => c.type === 'as_pattern');
  return asp?.children.find((c) => c.type === 'as_pattern_target')?.children.find((c) => c.named);
}

/** Parsers that reject malformed input: their result (and, as a statement, their argument) is format-checked. */
const VALIDATING_CALL = /^(uuid\.UUID|datetime\.(datetime|date|time)\.(fromisoformat|strptime)|dateutil\.parser\.isoparse)$/;

const PYNAMO_ACTIONS = new Set(['set', 'add', 'remove', 'delete', 'append', 'prepend']);

const enumCache = new WeakMap<ModuleStructure, Set<string>>();
const literalAliasCache = new WeakMap<ModuleStructure, Set<string>>();
const fieldCache = new WeakMap<ModuleStructure, Map<string, boolean>>();

/** Classes of the file that are Enums (`class Status(str, Enum)`): their members are an allow-list. */
export function enumClasses(ctx: { text: string; structure: ModuleStructure }): Set<string> {
  let out = enumCache.get(ctx.structure);
  if (!out) {
    out = new Set();
    for (const [name, cls] of ctx.structure.classes) if (cls.bases.some((b) => /(^|\.)(Enum|StrEnum|IntEnum|Flag|IntFlag)$/.test(textOf(ctx.text, b)))) out.add(name);
    enumCache.set(ctx.structure, out);
  }
  return out;
}

/** Module-level `Kind = Literal["a", "b"]` aliases. */
function literalAliases(ctx: { text: string; structure: ModuleStructure }): Set<string> {
  let out = literalAliasCache.get(ctx.structure);
  if (!out) {
    out = new Set();
    for (const st of ctx.structure.statements) {
      const m = /^(\w+)\s*(?::[^=\n]*)?=\s*(?:typing\.)?Literal\[/.exec(textOf(ctx.text, st));
      if (m) out.add(m[1]!);
    }
    literalAliasCache.set(ctx.structure, out);
  }
  return out;
}

const VALIDATING_DECLARATION = /\bLiteral\[|(^|[[,|(]\s*)(uuid\.|datetime\.|pydantic\.)?(UUID\d?|date|datetime|EmailStr)\s*($|[\],|=)])|\b(Query|Path|Header|Cookie|Form|Field|Body|conint|constr|confloat|condecimal|StringConstraints)\s*\(([^()]|\([^()]*\))*\b(regex|pattern|le|lt)\s*=/;

/**
 * Does a parameter or field declaration (annotation and default, as text) validate its value:
 * `Literal[...]`, an Enum of the file or a `Literal` alias, UUID/date types, `Query(pattern=...)`,
 * `Query(le=100)`, `conint(le=100)`?
 */
export function declaresValidation(ctx: { text: string; structure: ModuleStructure }, decl: string): boolean {
  if (VALIDATING_DECLARATION.test(decl)) return true;
  for (const name of decl.match(/\b[A-Z]\w*/g) ?? []) if (enumClasses(ctx).has(name) || literalAliases(ctx).has(name)) return true;
  return false;
}

/** `status: Literal["open", "closed"]` / `limit: int = Field(20, le=100)` in a Pydantic body model. */
function modelFieldValidated(ctx: ModuleContext, model: string, attr: string): boolean {
  let cache = fieldCache.get(ctx.structure);
  if (!cache) fieldCache.set(ctx.structure, (cache = new Map()));
  const key = `${model}.${attr}`;
  let out = cache.get(key);
  if (out === undefined) {
    const cls = ctx.structure.classes.get(model);
    const m = cls?.fields.includes(attr) ? new RegExp(`^[ \\t]+${attr}\\s*:(.*)$`, 'm').exec(textOf(ctx.text, cls.node)) : null;
    out = !!m && declaresValidation(ctx, m[1]!);
    cache.set(key, out);
  }
  return out;
}

export { fields };
