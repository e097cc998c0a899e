import type { DynamoGuardSettings } from '../../../protocol';
import type { SyntaxNode } from '../../parse/syntax';
import type { FunctionSummary } from '../facts';
import type { ModuleStructure } from '../module';
import { derived, EMPTY, join, mergeEntries, type DbLevel, type InstanceAttr, type Value } from '../values';

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
  /** The table name infrastructure code binds to environment variable `variable` (infra/engineValues.ts). */
  envTable?(variable: string): string | undefined;
  /** Infrastructure code names this function as a deployed handler (infra/auth.ts). */
  deployedHandler?(name: string): boolean;
  /** Work counter of the analysis (absent: unbounded, as in throwaway evaluations). */
  budget?: Budget;
  /** Summary of a method of a class of this file (memoised, cycle-safe). */
  methodSummary?(className: string, method: string, attrs?: readonly InstanceAttr[]): SummaryRef | undefined;
  /** `self.<name>` bindings of a class's `__init__` in terms of its parameters (this file's class, or the one at `path`). */
  initTemplate?(className: string, path?: string): InitTemplate | undefined;
  /** A name of another workspace module (`pkg.repo.get_order`, `.db.table`): a function's summary or a value. */
  foreign?(qualified: string): Foreign | undefined;
  /** Summary of a method of a class defined in the workspace module at `path`. */
  foreignMethod?(path: string, className: string, method: string, attrs?: readonly InstanceAttr[]): SummaryRef | undefined;
  /** Is `qualified` (`app.auth.signed_in`) a decorator of another workspace module that checks the session? */
  sessionDecorator?(qualified: string): boolean;
}

/** What `__init__` binds on `self`, as values over its parameters (`self` is parameter 0). */
export interface InitTemplate {
  params: string[];
  attrs: InstanceAttr[];
}

export interface SummaryRef {
  summary: FunctionSummary;
  /** Parameter names in order (`self` included for methods). */
  params: string[];
  /** A `@property` / `@cached_property`: read as an attribute, not called. */
  property?: boolean;
  /** `@staticmethod` / `@classmethod`: called on the class, arguments start at parameter 0 / 1. */
  binding?: 'static' | 'class';
}

export type Foreign = ({ kind: 'function'; path: string } & SummaryRef) | { kind: 'value'; value: Value };

/**
 * ESLint's `timeBudget` idea as a step counter: every statement and expression the interpreter
 * visits costs one step. A function over `maxSteps`, or any work after `deadline` (ms since the
 * epoch, checked every 1024 steps), ends with `BudgetExceeded`; the engine reports it as an
 * analysis error of the file instead of hanging.
 */
export interface Budget {
  steps: number;
  maxSteps: number;
  deadline: number;
  /** Total steps of the file, for tests and benchmarks. */
  total: number;
}

export class BudgetExceeded extends Error {
  constructor(readonly reason: 'steps' | 'time') {
    super(reason === 'steps' ? 'analysis step budget exceeded' : 'analysis time budget exceeded');
  }
}

/** The abstract state on one path through a function. */
export interface State {
  env: Map<string, Value>;
  /** Request source ids checked against the subject on every path so far. */
  verified: Set<string>;
  /** Request source ids (whole parameters) validated by an allow-list/format/bound check on every path so far. */
  validated: Set<string>;
  terminated: boolean;
}

/** Two sides of a comparison in a condition. */
export interface Pair {
  left: Value;
  right: Value;
}

/** Evaluated call arguments. */
export type Args = Array<{ node: SyntaxNode; value: Value }>;
export type Kwargs = Map<string, { node: SyntaxNode; value: Value; argNode: SyntaxNode }>;

export const MAX_DEPTH = 120;

export function emptyState(env: Map<string, Value>): State {
  return { env, verified: new Set(), validated: new Set(), terminated: false };
}

/**
 * `a or b`, `x if c else y`, `d.get(k, default)`: either operand, not a combination. When one
 * side may be request input the caller controls the result, so the other side's subject taint
 * does not make it trusted.
 */
export function alternative(a: Value, b: Value): Value {
  if (!(a.request?.length && b.subject?.length) && !(b.request?.length && a.subject?.length)) return join(a, b);
  const j = { ...join(a, b) };
  delete j.subject;
  return j;
}

/** An independent copy of a state for one branch. */
export function forkState(state: State): State {
  return { env: new Map(state.env), verified: new Set(state.verified), validated: new Set(state.validated), terminated: false };
}

export function derivedOrSelf(v: Value): Value {
  const d = derived(v);
  if (v.payload) d.payload = v.payload;
  if (v.dbWhole) d.dbWhole = v.dbWhole;
  if (v.cond) d.cond = v.cond;
  return d;
}

/**
 * Text formatted from `v` (`f"{v}"`, `"{}".format(v)`, `"%s" % v`): a PynamoDB model (or a list
 * of them) prints as its class and key, not its attributes, so the text is not the whole item.
 */
export function formattedFrom(v: Value): Value {
  if (v.obj === 'pynamoItem' || v.elem?.obj === 'pynamoItem' || v.elem?.elem?.obj === 'pynamoItem') return derived(v);
  return derivedOrSelf(v);
}

/** A dict key built from the payload's keys carries the payload (`{f":{k}": v for k, v in body.items()}`). */
export function keyTaint(k: Value): Value {
  return derivedOrSelf(k);
}

export function spreadCarry(v: Value): Value {
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

export function mergeEnvInto(into: Map<string, Value>, from: Map<string, Value>): void {
  for (const [k, v] of from) {
    const old = into.get(k);
    into.set(k, old ? (old === v ? v : mergeKeepStructure(old, v)) : v);
  }
}

export function mergeKeepStructure(a: Value, b: Value): Value {
  const j = join(a, b);
  // Keep object identity (a table assigned in both branches is still a table).
  if (a.obj && !j.obj && !b.obj) j.obj = a.obj;
  if (b.obj && !j.obj && !a.obj) j.obj = b.obj;
  if (a.dict || b.dict) j.dict = mergeEntries(a.dict, b.dict);
  if (a.key || b.key) j.key = join(a.key ?? EMPTY, b.key ?? EMPTY);
  if (j.obj && (a.name ?? b.name)) j.name = a.name ?? b.name;
  return j;
}

export function asAlias(clause: SyntaxNode): SyntaxNode | undefined {
  // tree-sitter-python: `except E as e` => as_pattern(E, as_pattern_target(e))
  const asp = clause.children.find((c) => c.type === 'as_pattern');
  return asp?.children.find((c) => c.type === 'as_pattern_target')?.children.find((c) => c.named);
}
