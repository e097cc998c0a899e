import { deployedHandlerNames } from '../infra/auth';
import type { DynamoGuardSettings } from '../../protocol';
import type { PyDocument } from '../parse/document';
import { field, visit, type SyntaxNode } from '../parse/syntax';
import type { FileFacts, FunctionFacts, FunctionSummary } from './facts';
import { FlowAnalyzer, type ModuleContext } from './flow';
import { BudgetExceeded, type Budget, type SummaryRef } from './interp/state';
import { foreignMethod, foreignName } from './layers';
import { AUTH_CHECK_NAME } from './knowledge/frameworks';
import { detectHandler, handlerEnv } from './handlers';
import { scanModule, textOf, type FunctionInfo } from './module';
import { matchesAny } from './names';
import { EMPTY, join, type Value } from './values';
import type { WorkspaceIndex } from './workspace';

// Per-document cache: facts of a function are reused while its text and the module context it
// depends on are unchanged. That is what keeps a keystroke in one handler of a 3,000-line file
// from re-analysing the other 59 handlers.
interface Cache {
  contextKey: string;
  /**
   * Function node -> facts (and the text they were computed from), valid while the summaries of
   * the file's functions are unchanged. Keyed by node, not text: identical methods of different
   * classes must not evict each other.
   */
  functions: Map<SyntaxNode, { facts: FunctionFacts; text: string; className: string; summariesKey: string }>;
  summaries: Map<string, { outer: SyntaxNode; summary: FunctionSummary }>;
}

const caches = new WeakMap<PyDocument, Cache>();
let callIds = 0;

const JWT_DECODE = /\bjwt\.decode\(|\bdecode_token\(|\bverify_jwt\w*\(|\bjwt\.verify\(|\bverify_id_token\(/;
const RAISES_401 = /status_code\s*=\s*(401|status\.HTTP_401_UNAUTHORIZED)|HTTPException\(\s*(401|status\.HTTP_401_UNAUTHORIZED)|abort\(\s*401|Unauthorized(Error)?\(/;

/** Limits of one file's analysis; the defaults leave real code far below them (bench/corpus.js prints the peak). */
export interface BudgetLimits {
  /** Steps (statements + expressions visited) per function, its summaries' own steps apart. */
  maxStepsPerFunction?: number;
  /** Wall-clock milliseconds for the whole file. */
  timeMs?: number;
}

export const DEFAULT_BUDGET: Required<BudgetLimits> = { maxStepsPerFunction: 200_000, timeMs: 10_000 };

/**
 * `summaryOnly`: module-level facts and function summaries, without analysing each function's
 * body as a handler (what the workspace index needs from every file, at half the cost).
 */
export function computeFacts(
  doc: PyDocument,
  settings: DynamoGuardSettings,
  workspace?: WorkspaceIndex,
  path?: string,
  summaryOnly = false,
  limits: BudgetLimits = {},
): FileFacts {
  return drain(computeFactsSteps(doc, settings, workspace, path, summaryOnly, limits));
}

/** Drop a document's cached function facts (the CLI keeps a summarised document's mirror, not those). */
export function forgetFacts(doc: PyDocument): void {
  caches.delete(doc);
}

/** Run a step generator to completion. */
export function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * computeFacts in steps: it yields between functions, so the language server can analyse in
 * time slices (answering requests in between) and abandon a run made stale by a newer edit.
 * Facts of the functions already done stay cached for the next run.
 */
export function* computeFactsSteps(
  doc: PyDocument,
  settings: DynamoGuardSettings,
  workspace?: WorkspaceIndex,
  path?: string,
  summaryOnly = false,
  limits: BudgetLimits = {},
): Generator<void, FileFacts> {
  const text = doc.text;
  const budget: Budget = {
    steps: 0,
    total: 0,
    maxSteps: limits.maxStepsPerFunction ?? DEFAULT_BUDGET.maxStepsPerFunction,
    deadline: Date.now() + (limits.timeMs ?? DEFAULT_BUDGET.timeMs),
  };
  // Functions cut short by the budget: reported once per file, with the first few names.
  const overBudget: Array<{ name: string; line: number; reason: string }> = [];
  const guarded = <T>(name: string, line: number, fallback: T, run: () => T): T => {
    const saved = budget.steps;
    budget.steps = 0;
    try {
      return run();
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      if (!overBudget.some((f) => f.name === name && f.line === line)) overBudget.push({ name, line, reason: e.reason });
      return fallback;
    } finally {
      budget.steps = saved;
    }
  };
  const structure = scanModule(text, doc.units);
  const globals = new Map<string, Value>();
  const schemas = new Map<string, string[]>();

  // Everything outside top-level function bodies shapes the context every function sees.
  const contextKey = JSON.stringify(settings) + '\u0001' + (workspace ? `ws${workspace.version}` : '') + '\u0001' + (path ?? '') + '\u0001' +
    contextText(text, doc.units, structure.functions);
  let cache = caches.get(doc);
  if (!cache || cache.contextKey !== contextKey) {
    cache = { contextKey, functions: new Map(), summaries: new Map() };
    caches.set(doc, cache);
  }
  const currentCache = cache;

  const authNames = new Set<string>();
  for (const fn of structure.functions) if (!fn.className && isAuthBody(text, fn, settings)) authNames.add(fn.name);
  const isAuthFunction = (name: string): boolean =>
    authNames.has(name) || AUTH_CHECK_NAME.test(name) || matchesAny(name, settings.authFunctions) || (workspace?.authFunctionNames().includes(name) ?? false);

  const inProgress = new Set<string>();
  const methodSummaries = new Map<string, SummaryRef | undefined>();
  let deployed: Set<string> | undefined;
  const ctx: ModuleContext = {
    text,
    structure,
    globals,
    settings,
    isAuthFunction,
    keySchema: (t) => (t ? schemas.get(t) ?? workspace?.keySchema(t) : undefined),
    nextCallId: () => ++callIds,
    deployedHandler: (name) => (deployed ??= deployedHandlerNames(path)).has(name),
    budget,
    imported: (qualified) => {
      const v = importedValue(workspace, path, qualified);
      if (v || qualified.endsWith('()')) return v;
      const f = foreignName(workspace, path, qualified);
      return f?.kind === 'value' ? f.value : undefined;
    },
    methodSummary: (className, method) => {
      const key = `${className}.${method}`;
      if (methodSummaries.has(key)) return methodSummaries.get(key);
      const fn = ctx.structure.classes.get(className)?.methods.find((m) => m.name === method);
      if (!fn) return undefined;
      // Recursion (a method calling itself, two calling each other) sees no summary.
      methodSummaries.set(key, undefined);
      const env = guarded(`${className}.__init__`, fn.outer.startRow + 1, new Map<string, Value>(), () => classSelfEnv(ctx, className));
      const summary = guarded(key, fn.outer.startRow + 1, EMPTY_SUMMARY, () => summarize(ctx, fn, env));
      const ref = { summary, params: fn.params.map((p) => p.name) };
      methodSummaries.set(key, ref);
      return ref;
    },
    foreign: (qualified) => foreignName(workspace, path, qualified),
    foreignMethod: (file, className, method) => foreignMethod(workspace, file, className, method),
    importedGuard: (qualified) => {
      const dot = qualified.lastIndexOf('.');
      if (!workspace || dot <= 0) return undefined;
      return workspace.resolve(path, qualified.slice(0, dot))?.guardHelpers[qualified.slice(dot + 1)];
    },
    summary: (name) => {
      const fn = structure.topFunctions.get(name);
      if (!fn) return undefined;
      const key = textOf(text, fn.outer);
      const cached = currentCache.summaries.get(key);
      if (cached && cached.outer === fn.outer) return cached.summary;
      if (inProgress.has(name)) return undefined;
      inProgress.add(name);
      try {
        let complete = true;
        const s = guarded(fn.name, fn.outer.startRow + 1, EMPTY_SUMMARY, () => summarize(ctx, fn));
        if (s === EMPTY_SUMMARY) complete = false;
        if (complete) currentCache.summaries.set(key, { outer: fn.outer, summary: s });
        return s;
      } finally {
        inProgress.delete(name);
      }
    },
  };

  const moduleFlow = new FlowAnalyzer(ctx, undefined, 'module');
  guarded('<module>', (structure.statements[0]?.startRow ?? 0) + 1, undefined, () => moduleFlow.runModule(structure.statements));
  collectTypeAliases(ctx);
  collectSchemas(text, structure.statements.filter((st) => textOf(text, st).includes('create_table')), schemas);
  for (const fn of structure.functions) if (!fn.className && fn.unit.text.includes('create_table')) collectSchemas(text, [fn.body], schemas);

  const functions: FunctionFacts[] = [];
  const classEnvs = new Map<string, Map<string, Value>>();
  const summariesKey = () =>
    [...structure.topFunctions.keys()].map((n) => summaryKey(n, ctx.summary(n))).join('|');
  let sumKey: string | undefined;
  // Summaries first, one per step (summariesKey below would build them all in one go).
  // The time budget counts work, not the pauses of a time-sliced caller.
  const pause = function* (): Generator<void, void> {
    const paused = Date.now();
    yield;
    budget.deadline += Date.now() - paused;
  };
  if (!summaryOnly) for (const name of structure.topFunctions.keys()) {
    yield* pause();
    ctx.summary(name);
  }

  for (const fn of summaryOnly ? [] : structure.functions) {
    yield* pause();
    const key = textOf(text, fn.outer);
    sumKey ??= summariesKey();
    // Same node objects, not just the same text: facts point into the mirrored tree, and a unit
    // mirrored again (the parse around it changed) must not be served facts about its old nodes.
    const cached = currentCache.functions.get(fn.outer);
    if (cached && cached.text === key && cached.facts.fn.outer === fn.outer && cached.className === (fn.className ?? '') && cached.summariesKey === sumKey) {
      functions.push(cached.facts);
      continue;
    }
    const flow = new FlowAnalyzer(ctx, fn, 'plain');
    const handler = guarded(fn.name, fn.outer.startRow + 1, undefined, () => detectHandler(ctx, flow, fn));
    let env = new Map<string, Value>();
    if (fn.className) {
      let selfEnv = classEnvs.get(fn.className);
      if (!selfEnv) {
        const cls = fn.className;
        selfEnv = guarded(`${cls}.__init__`, fn.outer.startRow + 1, new Map<string, Value>(), () => classSelfEnv(ctx, cls));
        classEnvs.set(fn.className, selfEnv);
      }
      env = new Map(selfEnv);
    }
    const facts = guarded(fn.name, fn.outer.startRow + 1, undefined, (): FunctionFacts => {
      if (!handler) return flow.runFunction(env);
      for (const [k, v] of handlerEnv(ctx, fn, handler, (name) => providerReturns(ctx, name))) env.set(k, v);
      return new FlowAnalyzer(ctx, fn, 'handler', handler).runFunction(env);
    });
    // A function cut short by the budget has no facts (no findings rather than wrong ones).
    if (!facts) continue;
    currentCache.functions.set(fn.outer, { facts, text: key, className: fn.className ?? '', summariesKey: sumKey });
    functions.push(facts);
  }
  // Drop entries of functions that no longer exist so the cache cannot grow without bound.
  if (currentCache.functions.size > functions.length * 2 + 16) {
    const live = new Set(functions);
    for (const [k, v] of currentCache.functions) if (!live.has(v.facts)) currentCache.functions.delete(k);
  }

  const errors = overBudget.length
    ? [
      `internal error: analysis budget exceeded (${overBudget[0]!.reason}) in ${overBudget.length} function(s), not checked: ` +
        overBudget.slice(0, 5).map((f) => `\`${f.name}\` (line ${f.line})`).join(', ') + (overBudget.length > 5 ? ', ...' : ''),
    ]
    : [];
  return {
    doc,
    text,
    errors,
    work: budget.total,
    module: structure,
    globals,
    functions,
    handlers: functions.filter((f) => f.handler),
    settings,
    ...(workspace ? { workspace } : {}),
    ...(path ? { path } : {}),
    keySchema: (t) => (t ? schemas.get(t) ?? workspace?.keySchema(t) : undefined),
    summary: (name) => ctx.summary(name),
    methodSummary: (className, method) => ctx.methodSummary!(className, method),
    describe: (name) => describeName(ctx, name),
    schemas,
    localAuthFunctions: structure.functions.filter((f) => !f.className && isAuthFunction(f.name) && !(workspace?.authFunctionNames().includes(f.name) && !authNames.has(f.name) && !matchesAny(f.name, settings.authFunctions))).map((f) => f.name),
    authFunctionNames: [...new Set([...authNames, ...structure.functions.filter((f) => !f.className && matchesAny(f.name, settings.authFunctions)).map((f) => f.name), ...(workspace?.authFunctionNames() ?? [])])],
  };
}

const EMPTY_SUMMARY: FunctionSummary = Object.freeze({ returns: EMPTY, guardPairs: [], isAuth: false, calls: [] });

/** What a `Depends(name)` provider returns: a function of this file or an imported one (a repository instance...). */
function providerReturns(ctx: ModuleContext, name: string): Value | undefined {
  const local = ctx.summary(name)?.returns;
  if (local) return local;
  const imp = ctx.structure.imports.get(name);
  const f = imp ? ctx.foreign?.(imp.qualified) : undefined;
  if (f?.kind !== 'function') return undefined;
  const r = f.summary.returns;
  return r.obj === 'instance' && !r.module ? { ...r, module: f.path } : r;
}

/** A module-level name as importers see it (classes by kind; globals as bound; functions are summarised instead). */
function describeName(ctx: ModuleContext, name: string): Value | undefined {
  if (ctx.structure.classes.has(name)) return new FlowAnalyzer(ctx, undefined, 'module').classValueOf(name);
  return ctx.globals.get(name);
}

/**
 * The text every function's facts may depend on: all top-level code except function bodies.
 * Method bodies are left out too (an edit in one method must not re-analyse every other class
 * and function), except `__init__` (its `self.x` bindings reach every method: classSelfEnv) and
 * bodies that create tables (collectSchemas). Whatever else starts reading another method's
 * body (method summaries) must keep it in this key or in summariesKey.
 */
function contextText(text: string, units: PyDocument['units'], functions: FunctionInfo[]): string {
  const holes = functions
    .filter((f) => f.className && f.name !== '__init__' && !textOf(text, f.body).includes('create_table'))
    .map((f) => f.body)
    .sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let h = 0;
  for (const u of units) {
    if (isTopFunction(u.node)) continue;
    let pos = u.node.start;
    const end = u.node.end;
    for (; h < holes.length && holes[h]!.start < end; h++) {
      const hole = holes[h]!;
      if (hole.start < pos || hole.end > end) continue;
      parts.push(text.slice(pos, hole.start));
      pos = hole.end;
    }
    parts.push(text.slice(pos, end), '\u0000');
  }
  return parts.join('');
}

function isTopFunction(node: SyntaxNode): boolean {
  if (node.type === 'function_definition') return true;
  return node.type === 'decorated_definition' && field(node, 'definition')?.type === 'function_definition';
}

function summaryKey(name: string, s: FunctionSummary | undefined): string {
  if (!s) return name;
  const r = s.returns;
  return `${name}:${s.calls.length}:${s.isAuth ? 1 : 0}:${s.guardPairs.join(';')}:${r.request ? 1 : 0}${r.subject ? 1 : 0}${r.obj ?? ''}${r.name ?? ''}${(r.params ?? []).join(',')}${r.fresh ? 'f' : ''}`;
}

/** A function authenticates when its body decodes a token or raises 401. */
function isAuthBody(text: string, fn: FunctionInfo, settings: DynamoGuardSettings): boolean {
  if (matchesAny(fn.name, settings.authFunctions)) return true;
  const body = textOf(text, fn.body);
  return JWT_DECODE.test(body) || RAISES_401.test(body);
}

function summarize(ctx: ModuleContext, fn: FunctionInfo, selfEnv?: Map<string, Value>): FunctionSummary {
  const env = new Map<string, Value>(selfEnv);
  fn.params.forEach((p, i) => env.set(p.name, { params: [i] }));
  const flow = new FlowAnalyzer(ctx, fn, 'helper');
  const facts = flow.runFunction(env);
  let returns: Value = EMPTY;
  for (const r of facts.returns) returns = join(returns, r.value);
  // Keep what a caller can use: taint, params, and objects (a table returned by a provider).
  const objs = facts.returns.map((r) => r.value.obj).filter(Boolean);
  if (objs.length && objs.every((o) => o === objs[0])) {
    returns = { ...returns, obj: objs[0]! };
    const name = facts.returns[0]!.value.name;
    if (name) returns.name = name;
  }
  // Dependency chains: `def get_active_user(user = Depends(get_current_user))` authenticates too.
  const dependsOnAuth = fn.params.some((p) => {
    if (!p.default || p.default.type !== 'call') return false;
    const t = textOf(ctx.text, p.default);
    const m = /^(?:Depends|Security)\(\s*([\w.]+)/.exec(t);
    return !!m && ctx.isAuthFunction(m[1]!.split('.').pop()!);
  });
  const uniquePairs = new Map<string, [number, number]>();
  for (const p of flow.guardPairs) uniquePairs.set(p.join(','), p);
  return {
    returns,
    guardPairs: [...uniquePairs.values()],
    isAuth: ctx.isAuthFunction(fn.name) || dependsOnAuth,
    calls: facts.calls.slice(0, 32),
    ...(facts.returns.length && facts.returns.every((r) => flow.deniesOnReturn(r.node)) ? { denies: true } : {}),
  };
}

/** `self.<attr>` bindings made in `__init__` (tables kept on a repository object). */
function classSelfEnv(ctx: ModuleContext, className: string): Map<string, Value> {
  const cls = ctx.structure.classes.get(className);
  const init = cls?.methods.find((m) => m.name === '__init__');
  const env = new Map<string, Value>();
  if (!init) return env;
  const flow = new FlowAnalyzer(ctx, init, 'module');
  const initial = new Map<string, Value>();
  flow.runFunction(initial);
  for (const [k, v] of initial) if (k.startsWith('self.') || k.startsWith('cls.')) env.set(k, v);
  return env;
}

/** `CurrentUser = Annotated[User, Depends(get_current_user)]` type aliases. */
function collectTypeAliases(ctx: ModuleContext): void {
  for (const stmt of ctx.structure.statements) {
    const asg = stmt.type === 'expression_statement' ? stmt.children[0] : undefined;
    if (asg?.type !== 'assignment') continue;
    const left = field(asg, 'left');
    const right = field(asg, 'right');
    if (left?.type !== 'identifier' || !right) continue;
    const m = /^Annotated\[[\s\S]*?(?:Depends|Security)\(\s*([\w.]+)/.exec(textOf(ctx.text, right));
    if (m) ctx.globals.set(textOf(ctx.text, left), { name: `depends:${m[1]!.split('.').pop()}` });
  }
}

/** Key schemas from `create_table(TableName=..., KeySchema=[{"AttributeName": ..., "KeyType": "HASH"}])`. */
export function collectSchemas(text: string, roots: SyntaxNode[], into: Map<string, string[]>): void {
  for (const root of roots) {
    visit(root, (n) => {
      if (n.type !== 'call') return;
      const fn = field(n, 'function');
      if (!fn || !textOf(text, fn).endsWith('create_table')) return;
      const src = textOf(text, n);
      const table = /TableName\s*=\s*["']([\w.-]+)["']/.exec(src)?.[1];
      const ks = /KeySchema\s*=\s*\[([\s\S]*?)\]/.exec(src)?.[1];
      if (!table || !ks) return false;
      const attrs: Array<[string, string]> = [];
      for (const m of ks.matchAll(/\{[^}]*\}/g)) {
        const a = /["']AttributeName["']\s*:\s*["']([\w.-]+)["']/.exec(m[0])?.[1];
        const k = /["']KeyType["']\s*:\s*["'](HASH|RANGE)["']/.exec(m[0])?.[1];
        if (a && k) attrs.push([a, k]);
      }
      if (attrs.length) into.set(table, attrs.sort((x, y) => (x[1] === 'HASH' ? -1 : y[1] === 'HASH' ? 1 : 0)).map((x) => x[0]));
      return false;
    });
  }
}

function importedValue(workspace: WorkspaceIndex | undefined, path: string | undefined, qualified: string): Value | undefined {
  if (!workspace) return undefined;
  const isCall = qualified.endsWith('()');
  const q = isCall ? qualified.slice(0, -2) : qualified;
  const dot = q.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const summary = workspace.resolve(path, q.slice(0, dot));
  if (!summary) return undefined;
  const name = q.slice(dot + 1);
  if (isCall) {
    if (summary.authFunctions.includes(name)) return { subject: [] as never[] } as Value;
    const f = summary.tableFactories[name];
    return f ? { obj: f.kind === 'table' ? 'table' : f.kind === 'client' ? 'dynamoClient' : 'dynamoResource', ...(f.tableName ? { name: f.tableName } : {}) } : undefined;
  }
  const t = summary.tables[name];
  if (t) return { obj: t.kind === 'table' ? 'table' : t.kind === 'client' ? 'dynamoClient' : 'dynamoResource', ...(t.tableName ? { name: t.tableName } : {}) };
  const app = summary.apps[name];
  if (app) return { obj: app.kind as Value['obj'], ...(app.authenticated ? { name: 'authenticated' } : {}) } as Value;
  return undefined;
}
