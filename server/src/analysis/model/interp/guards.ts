import { field, type SyntaxNode } from '../../parse/syntax';
import { DENY_EXCEPTIONS, DENY_STATUS } from '../names';
import { LOOKUP_METHODS, REGEX_METHOD, REGEX_MODULE_CALL, VALIDATOR_PREDICATE, VALIDATOR_STATEMENT } from '../knowledge/python';
import { INDEX_SOURCES, VALIDATING_CALL } from '../knowledge/frameworks';
import { AUTHENTICATED, type FunctionSummary } from '../facts';
import { EMPTY, join, type Value } from '../values';
import { FlowBase } from './base';
import { enumClasses } from './declarations';
import { MAX_DEPTH, type Pair, type State } from './state';

const COLLECTION_READS = new Set(['scan', 'query', 'execute_statement']);

/**
 * Conditions: ownership guards (a request value compared with the subject, denying on mismatch),
 * validation (allow-lists, format checks, bounds) and what a denying block looks like.
 */
export abstract class GuardFlow extends FlowBase {
  protected abstract calleeSummary(call: SyntaxNode): FunctionSummary | undefined;

  /** Does this return statement deny access (a 401/403/404 response)? */
  deniesOnReturn(stmt: SyntaxNode): boolean {
    const expr = stmt.children.find((c) => c.named);
    return !!expr && this.isDenyResponse(expr, { env: new Map(), verified: new Set(), validated: new Set(), terminated: false });
  }
  /** Comparisons in a condition that, when true, mean "mismatch" or "match". */
  protected comparePairs(cond: SyntaxNode, state: State): { mismatch: Pair[]; match: Pair[] } {
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
  protected narrow(cond: SyntaxNode, truth: boolean, state: State): void {
    this.narrowNodes(this.validatedBy(cond, truth, state), state);
    // `if "user_id" not in session: return redirect(...)`: the rest runs only for a signed-in caller.
    if (this.mode !== 'module' && this.provesSubject(cond, truth, state)) state.verified.add(AUTHENTICATED);
  }

  /** Does `n` evaluating to `truth` prove that the caller's identity is present? */
  protected provesSubject(n: SyntaxNode, truth: boolean, state: State, depth = 0): boolean {
    if (depth > 32) return false;
    switch (n.type) {
      case 'parenthesized_expression': {
        const inner = n.children.find((c) => c.named);
        return !!inner && this.provesSubject(inner, truth, state, depth + 1);
      }
      case 'not_operator': {
        const arg = field(n, 'argument');
        return !!arg && this.provesSubject(arg, !truth, state, depth + 1);
      }
      case 'boolean_operator': {
        const sides = [field(n, 'left'), field(n, 'right')].filter((x): x is SyntaxNode => !!x);
        const isAnd = n.children.find((c) => !c.named)?.type === 'and';
        // `a and b` true (or `a or b` false) holds each side; otherwise both sides must prove it.
        const each = (x: SyntaxNode) => this.provesSubject(x, truth, state, depth + 1);
        return isAnd === truth ? sides.some(each) : sides.length === 2 && sides.every(each);
      }
      case 'comparison_operator': {
        const operands = n.children.filter((c) => c.named);
        const op = n.children.filter((c) => !c.named).map((c) => c.type).join(' ');
        if (operands.length !== 2) return false;
        const [l, r] = operands as [SyntaxNode, SyntaxNode];
        if ((op === 'in' && truth) || (op === 'not in' && !truth)) return this.holdsSubject(this.eval(r, state), this.eval(l, state).str);
        const present = ((op === 'is not' || op === '!=') && truth) || ((op === 'is' || op === '==') && !truth);
        if (!present) return false;
        if (r.type === 'none') return !!this.eval(l, state).subject?.length;
        return l.type === 'none' && !!this.eval(r, state).subject?.length;
      }
      case 'call': {
        // `session.get("user_id")`; other calls are not evaluated twice (a table call would be recorded again).
        const fn = field(n, 'function');
        const recv = fn?.type === 'attribute' ? field(fn, 'object') : undefined;
        if (!truth || !recv || !sideEffectFree(recv)) return false;
        const key = field(n, 'arguments')?.children.find((c) => c.named);
        return LOOKUP_METHODS.has(this.t(field(fn!, 'attribute')!)) && this.holdsSubject(this.eval(recv, state), key?.type === 'string' ? this.eval(key, state).str : undefined);
      }
      default:
        return truth && sideEffectFree(n) && !!this.eval(n, state).subject?.length;
    }
  }

  /** Is `key in mapping` a presence test of the subject (`"user_id" in session`)? */
  private holdsSubject(mapping: Value, key: string | undefined): boolean {
    const model = mapping.obj ? INDEX_SOURCES[mapping.obj] : undefined;
    const r = model && ((key !== undefined && Object.hasOwn(model.keys, key) ? model.keys[key] : undefined) ?? model.any);
    return r?.kind === 'subject';
  }

  protected narrowNodes(nodes: SyntaxNode[], state: State): void {
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
  protected narrowByCall(call: SyntaxNode, state: State): void {
    const fn = field(call, 'function');
    const arg = field(call, 'arguments')?.children.find((c) => c.named && c.type !== 'keyword_argument');
    if (!fn || !arg) return;
    const q = this.qualify(this.t(fn));
    const name = q.slice(q.lastIndexOf('.') + 1);
    if (!VALIDATING_CALL.test(q) && !VALIDATOR_STATEMENT.test(name) && !enumClasses(this.ctx).has(q)) return;
    this.narrowNodes([arg], state);
  }

  /** Expressions proven validated when `n` evaluates to `truth`. */
  protected validatedBy(n: SyntaxNode, truth: boolean, state: State, depth = 0): SyntaxNode[] {
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

  protected validatedByComparison(n: SyntaxNode, truth: boolean, state: State): SyntaxNode[] {
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
  protected formatChecked(call: SyntaxNode): SyntaxNode[] {
    const fn = field(call, 'function');
    const args = field(call, 'arguments')?.children.filter((c) => c.named && c.type !== 'keyword_argument') ?? [];
    if (!fn) return [];
    const q = this.qualify(this.t(fn));
    if (REGEX_MODULE_CALL.test(q)) return args[1] ? [args[1]] : [];
    const name = q.slice(q.lastIndexOf('.') + 1);
    if (fn.type === 'attribute' && REGEX_METHOD.test(name)) return args[0] ? [args[0]] : [];
    if (VALIDATOR_PREDICATE.test(name)) return args[0] ? [args[0]] : [];
    return [];
  }

  protected isConstantOperand(n: SyntaxNode, state: State): boolean {
    if (['integer', 'float', 'true', 'false', 'none'].includes(n.type)) return true;
    if (n.type === 'unary_operator') return n.children.some((c) => c.type === 'integer' || c.type === 'float');
    if (n.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(this.t(n)) && !state.env.has(this.t(n))) return true;
    if (n.type !== 'string' && n.type !== 'identifier' && n.type !== 'attribute') return false;
    const v = this.eval(n, state);
    return !!v.constant && !v.request?.length;
  }

  /** A collection the caller cannot choose: a constant literal, an UPPER_CASE module constant, an Enum of the file. */
  protected isAllowListOperand(n: SyntaxNode, state: State): boolean {
    const text = this.t(n);
    if (n.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(text) && !state.env.has(text)) return true;
    if (/\bget_args\(/.test(text)) return true;
    for (const name of enumClasses(this.ctx)) if (new RegExp(`\\b${name}\\b`).test(text)) return true;
    const v = this.eval(n, state);
    return !v.request?.length && !!(v.constant || v.elem?.constant || (v.dict && v.dict.length > 0));
  }

  protected noteSubjectFilter(pairs: Pair[], node: SyntaxNode): void {
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

  /**
   * Items of a read that the request picks out (`for item in scan: if item["id"] == body["id"]:`):
   * on the path where `cond` is `truth`, the item is the one the caller asked for, so its
   * attributes (a key used next) are as request-chosen as the value it was matched with. An item
   * also matched with the subject in the same condition is the caller's own and stays as it is.
   */
  protected selectByRequest(cond: SyntaxNode, truth: boolean, state: State): void {
    const proven: Array<{ name: string; item: Value; other: Value }> = [];
    const walk = (n: SyntaxNode, t: boolean, depth: number): void => {
      if (depth > 16) return;
      if (n.type === 'parenthesized_expression') {
        const inner = n.children.find((c) => c.named);
        if (inner) walk(inner, t, depth + 1);
      } else if (n.type === 'not_operator') {
        const arg = field(n, 'argument');
        if (arg) walk(arg, !t, depth + 1);
      } else if (n.type === 'boolean_operator') {
        // `a and b` true (or `a or b` false) proves both sides.
        if ((n.children.find((c) => !c.named)?.type === 'and') !== t) return;
        for (const side of [field(n, 'left'), field(n, 'right')]) if (side) walk(side, t, depth + 1);
      } else if (n.type === 'comparison_operator') {
        const operands = n.children.filter((c) => c.named);
        const op = n.children.filter((c) => !c.named).map((c) => c.type).join(' ');
        if (operands.length !== 2) return;
        const equal = op === '==' || op === 'is' || (op === 'in' && t) ? t : op === '!=' || op === 'is not' ? !t : undefined;
        if (!equal) return;
        const [l, r] = operands as [SyntaxNode, SyntaxNode];
        for (const [a, b] of [[l, r], [r, l]] as const) {
          if (op === 'in' && a !== l) continue;
          const name = this.itemVariable(a);
          const item = name ? state.env.get(name) : undefined;
          if (name && item?.dbFrom?.length) proven.push({ name, item, other: this.eval(b, state) });
        }
      }
    };
    walk(cond, truth, 0);
    for (const { name, item, other } of proven) {
      if (!other.request?.length || other.subject?.length || item.subject?.length || item.keyedBy?.subject?.length) continue;
      // Only a collection read is narrowed by a match; a `get_item` result already is the one item.
      if (!item.dbFrom!.every((id) => COLLECTION_READS.has(this.calls.find((c) => c.id === id)?.method ?? ''))) continue;
      if (proven.some((p) => p.name === name && p.other.subject?.length)) continue;
      const current = state.env.get(name) ?? item;
      const chosen: Value = { request: other.request.map((s) => ({ ...s, label: `${s.label} (through the item it selects)` })) };
      const selected = join(current, chosen);
      // A PynamoDB item writes itself with its own key (`item.delete()`): that key is chosen too.
      if (current.obj === 'pynamoItem') state.env.set(name, { ...current, ...selected, key: join(current.key ?? EMPTY, chosen) });
      else state.env.set(name, selected);
    }
  }

  /** The variable an item attribute is read from: `item` in `item["id"]`, `item.id`, `item.get("id")`. */
  private itemVariable(n: SyntaxNode): string | undefined {
    let cur: SyntaxNode | undefined = n;
    for (let i = 0; cur && i < 4; i++) {
      if (cur.type === 'identifier') return i > 0 ? this.t(cur) : undefined;
      if (cur.type === 'subscript') cur = field(cur, 'value');
      else if (cur.type === 'attribute') cur = field(cur, 'object');
      else if (cur.type === 'call' && field(cur, 'function')?.type === 'attribute') cur = field(field(cur, 'function')!, 'object');
      else return undefined;
    }
    return undefined;
  }

  /** Record the effect of a guard comparing `pair` (verified on the continuing path). */
  protected applyGuard(pair: Pair, state: State, _denied: boolean): void {
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

  protected isDenyExpression(expr: SyntaxNode, _state: State): boolean {
    const call = expr.type === 'call' ? expr : undefined;
    const name = call ? this.calleeName(call) : this.t(expr).split('.').pop()!;
    if (DENY_EXCEPTIONS.test(name)) return true;
    if (call && /HTTPException$|^HTTPError$|^HttpError$/.test(name)) {
      const status = this.statusOf(this.callArg(call, 0, ['status_code', 'code']));
      return status !== undefined && DENY_STATUS.has(status);
    }
    return false;
  }

  protected isAbortCall(call: SyntaxNode): boolean {
    const name = this.calleeName(call);
    if (name !== 'abort') return false;
    const status = this.statusOf(this.callArg(call, 0, ['code', 'status']));
    return status !== undefined && DENY_STATUS.has(status);
  }

  protected isDenyResponse(expr: SyntaxNode, state: State): boolean {
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
      // `return not_found()` where the helper returns a 404 response, `return response("...", 404)`
      // through a response helper of the workspace.
      const helper = this.calleeSummary(expr);
      if (helper?.denies) return true;
      if (helper && field(expr, 'arguments')?.children.some((a) => DENY_STATUS.has(this.statusOf(a.type === 'keyword_argument' ? field(a, 'value') : a) ?? 0))) return true;
      const name = this.calleeName(expr);
      if (/Response$|^make_response$/.test(name)) {
        const status = this.statusOf(this.callArg(expr, name === 'make_response' ? 1 : 99, ['status', 'status_code']));
        return status !== undefined && DENY_STATUS.has(status);
      }
    }
    void state;
    return false;
  }

  /** `k in ALLOWED`, `k in {"a", "b"}`, `k not in DENIED`? (only positive membership counts). */
  protected isAllowListCheck(cond: SyntaxNode, state: State): boolean {
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
}

/** A name, or attributes and literal subscripts of one: evaluating it again records nothing. */
function sideEffectFree(n: SyntaxNode, depth = 0): boolean {
  if (depth > 16) return false;
  if (n.type === 'identifier') return true;
  if (n.type === 'attribute') return sideEffectFree(field(n, 'object')!, depth + 1);
  if (n.type === 'subscript') {
    const sub = field(n, 'subscript');
    return (sub?.type === 'string' || sub?.type === 'integer') && sideEffectFree(field(n, 'value')!, depth + 1);
  }
  return false;
}
