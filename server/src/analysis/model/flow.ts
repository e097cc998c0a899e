import { field, type SyntaxNode } from '../parse/syntax';
import type { FunctionFacts } from './facts';
import type { ClassInfo, FunctionInfo } from './module';
import { EMPTY, join, type Value } from './values';
import { LayerFlow } from './interp/layers';
import { asAlias, elementOf, emptyState, forkState, mergeEnvInto, type State } from './interp/state';

export type { ModuleContext } from './interp/state';
export { elementOf } from './interp/state';
export { declaresValidation, enumClasses } from './interp/declarations';
export { fields } from '../parse/syntax';

/**
 * Abstract interpreter over one function body (or the module's top level): evaluates
 * expressions to Values, follows assignments/branches/loops in order, records table calls with
 * the guards in force, returns and subject reads. One pass shared by every rule.
 *
 * This layer runs statements; conditions, expressions, calls and calls into other layers of the
 * application are the layers below it (./interp), and framework knowledge is data (./knowledge).
 */
export class FlowAnalyzer extends LayerFlow {
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
    const state = emptyState(this.ctx.globals);
    for (const s of statements) {
      this.moduleUnit = moduleUnitOf(this.ctx.text, s, s);
      this.execStatement(s, state);
    }
    this.moduleUnit = undefined;
  }

  /**
   * Run the statements of class bodies (not their methods) over a copy of the globals: table
   * calls made there are checked by the expression rules, and class attributes stay local.
   */
  runClassBodies(classes: Iterable<ClassInfo>): void {
    for (const cls of classes) {
      const body = field(cls.node, 'body');
      if (!body) continue;
      const state = forkState(emptyState(this.ctx.globals));
      for (const s of body.children) {
        this.moduleUnit = moduleUnitOf(this.ctx.text, s, cls.node);
        this.execStatement(s, state);
      }
    }
    this.moduleUnit = undefined;
  }

  /** What a class of this file is: a PynamoDB/Pydantic model, a class with methods, or nothing known. */
  classValueOf(name: string): Value {
    const v = this.classValue(name);
    if (v.obj) return v;
    return this.ctx.structure.classes.get(name)?.methods.some((m) => m.name !== '__init__') ? { obj: 'classRef', name } : v;
  }

  evalStandalone(node: SyntaxNode, env: Map<string, Value> = new Map()): Value {
    return this.eval(node, emptyState(env));
  }

  /** `if <cond>: <leave>` lets what follows run only for a signed-in caller (`"user_id" not in session`). */
  leavesWithoutSubject(cond: SyntaxNode): boolean {
    return this.provesSubject(cond, false, emptyState(new Map()));
  }

  protected execBlock(block: SyntaxNode | undefined, state: State): void {
    if (!block) return;
    for (const stmt of block.children) {
      if (state.terminated) return;
      this.execStatement(stmt, state);
    }
  }

  protected execStatement(stmt: SyntaxNode, state: State): void {
    this.tick();
    const saved = this.currentStatement;
    const savedState = this.pathState;
    if (stmt.type !== 'block') this.currentStatement = stmt;
    this.pathState = state;
    try {
      this.execStatementInner(stmt, state);
    } finally {
      this.currentStatement = saved;
      this.pathState = savedState;
    }
  }

  protected execStatementInner(stmt: SyntaxNode, state: State): void {
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

  protected execAssignment(node: SyntaxNode, state: State): void {
    const right = field(node, 'right');
    const left = field(node, 'left');
    if (!left) return;
    let value: Value = EMPTY;
    if (right) {
      value = right.type === 'assignment' ? (this.execAssignment(right, state), this.eval(field(right, 'left')!, state)) : this.eval(right, state);
    }
    this.bind(left, value, state);
  }

  protected execAugmented(node: SyntaxNode, state: State): void {
    const left = field(node, 'left');
    const right = field(node, 'right');
    if (!left || !right) return;
    const old = this.eval(left, state);
    this.bind(left, join(old, this.eval(right, state)), state);
  }

  protected execLoop(stmt: SyntaxNode, state: State): void {
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

  protected execTry(stmt: SyntaxNode, state: State): void {
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

  protected execWith(stmt: SyntaxNode, state: State): void {
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

  protected execMatch(stmt: SyntaxNode, state: State): void {
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

  protected mergeBranches(state: State, branches: State[]): void {
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

  protected execIf(stmt: SyntaxNode, state: State): void {
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
    if (cond) this.selectByRequest(cond, true, thenState);
    this.execBlock(consequence, thenState);

    const elseState = forkState(state);
    if (cond) this.narrow(cond, false, elseState);
    if (thenDenies) for (const p of mismatch) this.applyGuard(p, elseState, true);
    // `if item["id"] != body["id"]: continue`: what follows runs only for the selected item.
    if (cond && thenState.terminated) this.selectByRequest(cond, false, elseState);
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
}

/** A top-level statement (or a statement of a class body) seen as the "function" of the calls it makes. */
function moduleUnitOf(text: string, stmt: SyntaxNode, outer: SyntaxNode): FunctionInfo {
  return {
    name: '<module>', node: stmt, nameNode: stmt, params: [], parametersNode: stmt, decorators: [],
    outer, body: stmt, isAsync: false, unit: { node: stmt, text: text.slice(stmt.start, stmt.end) },
  };
}
