import { deployedHandlerNames } from '../infra/auth';
import { infraValuesFor } from '../infra/engineValues';
import type { DynamoGuardSettings } from '../../protocol';
import type { PyDocument } from '../parse/document';
import { type SyntaxNode } from '../parse/syntax';
import type { FileFacts, FunctionFacts, FunctionSummary } from './facts';
import { FlowAnalyzer, type ModuleContext } from './flow';
import { BudgetExceeded, type Budget, type InitTemplate, type SummaryRef } from './interp/state';
import { foreignInit, foreignMethod, foreignName, foreignSessionDecorator } from './layers';
import { AUTH_CHECK_NAME } from './knowledge/frameworks';
import { detectHandler, handlerEnv, isSessionDecorator } from './handlers';
import { scanModule, textOf, type FunctionInfo } from './module';
import { matchesAny } from './names';
import { type Value } from './values';
import { attrShape, MAX_SPECIALISATIONS } from './instances';
import type { WorkspaceIndex } from './workspace';
import {
  CLASS_DECORATOR, classSelfEnv, collectSchemas, collectTypeAliases, contextText, describeName, EMPTY_SUMMARY, importedValue,
  initTemplate, isAuthBody, PROPERTY_DECORATOR, providerReturns, selfValue, STATIC_DECORATOR, summarize, summaryKey,
} from './summarize';

export { collectSchemas } from './summarize';

// Per-document cache: facts of a function are reused while its text and the module context it
// depends on are unchanged. That is what keeps a keystroke in one handler of a 3,000-line file
// from re-analysing the other 59 handlers.
interface Cache {
  contextKey: string;
  /** What the module-level flow read (summaries): when it changes, globals may have too. */
  moduleKey?: string;
  /**
   * Function node -> facts (and the text they were computed from), valid while every summary,
   * method body and `__init__` its analysis read is unchanged (`deps`). Keyed by node, not text:
   * identical methods of different classes must not evict each other.
   */
  functions: Map<SyntaxNode, { facts: FunctionFacts; text: string; className: string; deps: Deps }>;
  summaries: Map<string, { outer: SyntaxNode; summary: FunctionSummary; deps: Deps }>;
}

/**
 * What one analysis read outside its own function, and the value each had: `s:<name>` a top-level
 * function's summary (its digest), `m:<Class>.<method>` a method's text and its class's
 * `__init__`, `c:<Class>` the class's `__init__` text. Cached facts stay valid while every entry
 * still has the same value, so an edit re-analyses only the functions that read what it changed.
 */
type Deps = Map<string, string>;

const caches = new WeakMap<PyDocument, Cache>();
let callIds = 0;


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

  const authNames = new Set<string>();
  for (const fn of structure.functions) if (!fn.className && isAuthBody(text, fn, settings)) authNames.add(fn.name);
  // Tables the infrastructure code binds to environment variables, and their key schemas (infra/engineValues.ts).
  const infra = infraValuesFor(path);
  // Everything outside function and method bodies shapes the context every function sees; so
  // do the auth functions (a body that starts decoding a token makes its callers authenticated)
  // and the infrastructure values.
  const contextKey = JSON.stringify(settings) + '\u0001' + (workspace ? `ws${workspace.version}` : '') + '\u0001' + (path ?? '') + '\u0001' +
    [...authNames].join(',') + '\u0001' + infra.key + '\u0001' + contextText(text, doc.units, structure.functions);
  let cache = caches.get(doc);
  if (!cache || cache.contextKey !== contextKey) {
    cache = { contextKey, functions: new Map(), summaries: new Map() };
    caches.set(doc, cache);
  }
  let currentCache = cache;

  // Dependency recording: every collector on the stack sees what is read while it is open, so
  // the reads of nested summaries count for the function that caused them.
  const collectors: Deps[] = [];
  const note = (id: string, value: string) => {
    for (const d of collectors) d.set(id, value);
  };
  const noteAll = (deps: Deps) => {
    for (const [id, value] of deps) note(id, value);
  };
  const collect = <T>(run: () => T): { value: T; deps: Deps } => {
    const deps: Deps = new Map();
    collectors.push(deps);
    try {
      return { value: run(), deps };
    } finally {
      collectors.pop();
    }
  };
  const initText = (className: string) => {
    const init = structure.classes.get(className)?.methods.find((m) => m.name === '__init__');
    return init ? textOf(text, init.outer) : '';
  };
  const methodText = (className: string, method: string) => {
    const fn = structure.classes.get(className)?.methods.find((m) => m.name === method);
    return (fn ? textOf(text, fn.outer) : '') + '\u0001' + initText(className);
  };
  const current = (id: string): string => {
    if (id.startsWith('s:')) return summaryKey(id.slice(2), ctx.summary(id.slice(2)));
    if (id.startsWith('c:')) return initText(id.slice(2));
    const dot = id.indexOf('.');
    return methodText(id.slice(2, dot), id.slice(dot + 1));
  };
  const stillValid = (deps: Deps) => {
    for (const [id, value] of deps) if (current(id) !== value) return false;
    return true;
  };
  const isAuthFunction = (name: string): boolean =>
    authNames.has(name) || AUTH_CHECK_NAME.test(name) || matchesAny(name, settings.authFunctions) || (workspace?.authFunctionNames().includes(name) ?? false);

  const inProgress = new Set<string>();
  const methodSummaries = new Map<string, SummaryRef | undefined>();
  const methodDeps = new Map<string, Deps>();
  const specialisations = new Map<string, number>();
  const initTemplates = new Map<string, InitTemplate | undefined>();
  const initDeps = new Map<string, Deps>();
  let deployed: Set<string> | undefined;
  const ctx: ModuleContext = {
    text,
    structure,
    globals,
    settings,
    isAuthFunction,
    keySchema: (t) => (t ? schemas.get(t) ?? workspace?.keySchema(t) ?? infra.keySchemas.get(t) : undefined),
    envTable: (variable) => infra.envTables.get(variable),
    nextCallId: () => ++callIds,
    deployedHandler: (name) => (deployed ??= deployedHandlerNames(path)).has(name),
    budget,
    imported: (qualified) => {
      const v = importedValue(workspace, path, qualified);
      // A summary's table without a name may be named from its own imports (an env-bound name in
      // a config module): the module's facts, computed with the workspace, know it.
      const unnamedTable = v?.obj === 'table' && !v.name;
      if ((v && !unnamedTable) || qualified.endsWith('()')) return v;
      const f = foreignName(workspace, path, qualified);
      return f?.kind === 'value' ? f.value : v;
    },
    methodSummary: (className, method, attrs) => {
      const shape = attrs?.length ? attrShape(attrs) : '';
      let key = `${className}.${method}`;
      note(`m:${key}`, methodText(className, method));
      if (shape) {
        // Specialised per shape of the instance's constructor-given attributes, a few per method.
        const n = (specialisations.get(key) ?? 0) + 1;
        if (n > MAX_SPECIALISATIONS && !methodSummaries.has(`${key}#${shape}`)) return ctx.methodSummary!(className, method);
        specialisations.set(key, n);
        key = `${key}#${shape}`;
      }
      if (methodSummaries.has(key)) {
        const deps = methodDeps.get(key);
        if (deps) noteAll(deps);
        return methodSummaries.get(key);
      }
      const fn = ctx.structure.classes.get(className)?.methods.find((m) => m.name === method);
      if (!fn) return undefined;
      // Recursion (a method calling itself, two calling each other) sees no summary.
      methodSummaries.set(key, undefined);
      const { value: ref, deps } = collect((): SummaryRef => {
        const env = guarded(`${className}.__init__`, fn.outer.startRow + 1, new Map<string, Value>(), () => classSelfEnv(ctx, className));
        const self = selfValue(ctx, className, fn, attrs ?? [], env);
        const summary = guarded(key, fn.outer.startRow + 1, EMPTY_SUMMARY, () => summarize(ctx, fn, env, self));
        return { summary, params: fn.params.map((p) => p.name) };
      });
      const decorators = fn.decorators.map((d) => textOf(text, d));
      if (decorators.some((d) => PROPERTY_DECORATOR.test(d))) ref.property = true;
      if (decorators.some((d) => STATIC_DECORATOR.test(d))) ref.binding = 'static';
      else if (decorators.some((d) => CLASS_DECORATOR.test(d))) ref.binding = 'class';
      methodSummaries.set(key, ref);
      methodDeps.set(key, deps);
      noteAll(deps);
      return ref;
    },
    initTemplate: (className, file) => {
      if (file !== undefined && file !== path) return foreignInit(workspace, file, className);
      note(`c:${className}`, initText(className));
      if (initTemplates.has(className)) {
        noteAll(initDeps.get(className) ?? new Map());
        return initTemplates.get(className);
      }
      initTemplates.set(className, undefined);
      const { value: t, deps } = collect(() => guarded(`${className}.__init__`, 0, undefined, () => initTemplate(ctx, className)));
      initTemplates.set(className, t);
      initDeps.set(className, deps);
      noteAll(deps);
      return t;
    },
    foreign: (qualified) => foreignName(workspace, path, qualified),
    sessionDecorator: (qualified) => foreignSessionDecorator(workspace, path, qualified),
    foreignMethod: (file, className, method, attrs) => foreignMethod(workspace, file, className, method, attrs),
    importedGuard: (qualified) => {
      const dot = qualified.lastIndexOf('.');
      if (!workspace || dot <= 0) return undefined;
      return workspace.resolve(path, qualified.slice(0, dot))?.guardHelpers[qualified.slice(dot + 1)];
    },
    summary: (name) => {
      const fn = structure.topFunctions.get(name);
      if (!fn) return undefined;
      if (inProgress.has(name)) return undefined;
      inProgress.add(name);
      try {
        const s = summaryOf(fn);
        note(`s:${name}`, summaryKey(name, s));
        return s;
      } finally {
        inProgress.delete(name);
      }
    },
  };

  /** A top-level function's summary, reused while its text and everything it read are unchanged. */
  function summaryOf(fn: FunctionInfo): FunctionSummary {
    const key = textOf(text, fn.outer);
    const cached = currentCache.summaries.get(key);
    if (cached && cached.outer === fn.outer && stillValid(cached.deps)) {
      noteAll(cached.deps);
      return cached.summary;
    }
    const { value: s, deps } = collect(() => guarded(fn.name, fn.outer.startRow + 1, EMPTY_SUMMARY, () => summarize(ctx, fn)));
    noteAll(deps);
    if (s !== EMPTY_SUMMARY) currentCache.summaries.set(key, { outer: fn.outer, summary: s, deps });
    return s;
  }

  const moduleFlow = new FlowAnalyzer(ctx, undefined, 'module');
  const { deps: moduleDeps } = collect(() => {
    guarded('<module>', (structure.statements[0]?.startRow ?? 0) + 1, undefined, () => moduleFlow.runModule(structure.statements));
    if (!summaryOnly) guarded('<class bodies>', 1, undefined, () => moduleFlow.runClassBodies(structure.classes.values()));
    collectTypeAliases(ctx);
  });
  collectSchemas(text, structure.statements.filter((st) => textOf(text, st).includes('create_table')), schemas);
  for (const fn of structure.functions) if (!fn.className && fn.unit.text.includes('create_table')) collectSchemas(text, [fn.body], schemas);
  // Globals come from the module-level code (in contextKey) and the summaries it read; table key
  // schemas may come from function bodies. Either changing invalidates every function's facts.
  const moduleKey = JSON.stringify([...moduleDeps].sort()) + JSON.stringify([...schemas]);
  if (currentCache.moduleKey !== undefined && currentCache.moduleKey !== moduleKey) {
    currentCache = { contextKey, functions: new Map(), summaries: new Map() };
    caches.set(doc, currentCache);
  }
  currentCache.moduleKey = moduleKey;

  const functions: FunctionFacts[] = [];
  const classEnvs = new Map<string, { value: Map<string, Value>; deps: Deps }>();
  // Summaries first, one per step (validating a cached function may need several at once).
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
    // Same node objects, not just the same text: facts point into the mirrored tree, and a unit
    // mirrored again (the parse around it changed) must not be served facts about its old nodes.
    const cached = currentCache.functions.get(fn.outer);
    if (cached && cached.text === key && cached.facts.fn.outer === fn.outer && cached.className === (fn.className ?? '') && stillValid(cached.deps)) {
      functions.push(cached.facts);
      continue;
    }
    const { value: facts, deps } = collect(() => analyseFunction(fn));
    // A function cut short by the budget has no facts (no findings rather than wrong ones).
    if (!facts) continue;
    currentCache.functions.set(fn.outer, { facts, text: key, className: fn.className ?? '', deps });
    functions.push(facts);
  }

  function analyseFunction(fn: FunctionInfo): FunctionFacts | undefined {
    const flow = new FlowAnalyzer(ctx, fn, 'plain');
    const handler = guarded(fn.name, fn.outer.startRow + 1, undefined, () => detectHandler(ctx, flow, fn));
    let env = new Map<string, Value>();
    if (fn.className) {
      note(`c:${fn.className}`, initText(fn.className));
      let known = classEnvs.get(fn.className);
      if (!known) {
        const cls = fn.className;
        known = collect(() => guarded(`${cls}.__init__`, fn.outer.startRow + 1, new Map<string, Value>(), () => classSelfEnv(ctx, cls)));
        classEnvs.set(fn.className, known);
      }
      noteAll(known.deps);
      env = new Map(known.value);
      // `self` is an instance of its class, so `self.fetch(uid)` applies that method's summary
      // (a read-modify-write through a method of the same repository).
      const first = fn.params[0]?.name;
      const self = first && !env.has(first) ? selfValue(ctx, fn.className, fn, [], env) : undefined;
      if (first && self?.obj === 'instance') env.set(first, self);
    }
    return guarded(fn.name, fn.outer.startRow + 1, undefined, (): FunctionFacts => {
      if (!handler) return flow.runFunction(env);
      for (const [k, v] of handlerEnv(ctx, fn, handler, (name, bind) => providerReturns(ctx, name, bind))) env.set(k, v);
      return new FlowAnalyzer(ctx, fn, 'handler', handler).runFunction(env);
    });
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
    moduleCalls: moduleFlow.moduleCalls,
    settings,
    ...(workspace ? { workspace } : {}),
    ...(path ? { path } : {}),
    keySchema: (t) => (t ? schemas.get(t) ?? workspace?.keySchema(t) ?? infra.keySchemas.get(t) : undefined),
    summary: (name) => ctx.summary(name),
    methodSummary: (className, method, attrs) => ctx.methodSummary!(className, method, attrs),
    initTemplate: (className) => ctx.initTemplate!(className),
    describe: (name) => describeName(ctx, name),
    schemas,
    localAuthFunctions: structure.functions.filter((f) => !f.className && isAuthFunction(f.name) && !(workspace?.authFunctionNames().includes(f.name) && !authNames.has(f.name) && !matchesAny(f.name, settings.authFunctions))).map((f) => f.name),
    sessionDecorator: (name) => {
      const def = structure.topFunctions.get(name);
      if (!def) return false;
      try {
        return isSessionDecorator(ctx, new FlowAnalyzer(ctx, def, 'plain'), def);
      } catch (e) {
        if (e instanceof BudgetExceeded) return false;
        throw e;
      }
    },
    authFunctionNames: [...new Set([...authNames, ...structure.functions.filter((f) => !f.className && matchesAny(f.name, settings.authFunctions)).map((f) => f.name), ...(workspace?.authFunctionNames() ?? [])])],
  };
}
