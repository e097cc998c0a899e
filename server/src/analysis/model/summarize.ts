/**
 * The per-module pieces the engine composes: function summaries, class environments and
 * constructor templates, imported values, and the text keys its cache compares.
 */
import type { DynamoGuardSettings } from '../../protocol';
import type { PyDocument } from '../parse/document';
import { field, visit, type SyntaxNode } from '../parse/syntax';
import type { FunctionSummary } from './facts';
import { FlowAnalyzer, type ModuleContext } from './flow';
import { substitute } from './interp/layers';
import { type InitTemplate } from './interp/state';
import { textOf, type FunctionInfo } from './module';
import { matchesAny } from './names';
import { EMPTY, joinShaped, MAX_NESTING, type InstanceAttr, type Value } from './values';
import { ATTR_PARAM_BASE, paramAttrs } from './instances';
import type { WorkspaceIndex } from './workspace';

const JWT_DECODE = /\bjwt\.decode\(|\bdecode_token\(|\bverify_jwt\w*\(|\bjwt\.verify\(|\bverify_id_token\(/;
const RAISES_401 = /status_code\s*=\s*(401|status\.HTTP_401_UNAUTHORIZED)|HTTPException\(\s*(401|status\.HTTP_401_UNAUTHORIZED)|abort\(\s*401|Unauthorized(Error)?\(/;

export const EMPTY_SUMMARY: FunctionSummary = Object.freeze({ returns: EMPTY, guardPairs: [], isAuth: false, calls: [] });

/** What a `Depends(name)` provider returns: a function of this file or an imported one (a repository instance...). */
export function providerReturns(ctx: ModuleContext, name: string, bind?: (param: string) => Value | undefined): Value | undefined {
  // `Depends(get_repo)` or `Depends(dependencies.get_repo)` through an imported module.
  const dot = name.indexOf('.');
  const local = dot < 0 ? ctx.summary(name) : undefined;
  const imp = local ? undefined : ctx.structure.imports.get(dot < 0 ? name : name.slice(0, dot));
  const f = imp ? ctx.foreign?.(imp.qualified + (dot < 0 ? '' : name.slice(dot))) : undefined;
  const params = local ? ctx.structure.topFunctions.get(name)?.params.map((p) => p.name) : f?.kind === 'function' ? f.params : undefined;
  let r = local?.returns ?? (f?.kind === 'function' ? f.summary.returns : undefined);
  if (!r || !params) return r;
  if (bind) r = substitute(r, (i) => (params[i] !== undefined ? bind(params[i]!) : undefined), new Map(), 0);
  return f?.kind === 'function' && r.obj === 'instance' && !r.module ? { ...r, module: f.path } : r;
}

/** A module-level name as importers see it (classes by kind; globals as bound; functions are summarised instead). */
export function describeName(ctx: ModuleContext, name: string): Value | undefined {
  if (ctx.structure.classes.has(name)) return new FlowAnalyzer(ctx, undefined, 'module').classValueOf(name);
  return ctx.globals.get(name);
}

/**
 * The text every function's facts may depend on: all top-level code except function bodies.
 * Method bodies are left out too (an edit in one method must not re-analyse every other class
 * and function), except bodies that create tables (collectSchemas). Whatever reads a method's
 * body (method summaries, `__init__` through classSelfEnv) must record it as a dependency (Deps).
 */
export function contextText(text: string, units: PyDocument['units'], functions: FunctionInfo[]): string {
  const holes = functions
    .filter((f) => f.className && !textOf(text, f.body).includes('create_table'))
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

export function isTopFunction(node: SyntaxNode): boolean {
  if (node.type === 'function_definition') return true;
  return node.type === 'decorated_definition' && field(node, 'definition')?.type === 'function_definition';
}

export function summaryKey(name: string, s: FunctionSummary | undefined): string {
  if (!s) return name;
  const r = s.returns;
  return `${name}:${s.calls.length}:${s.isAuth ? 1 : 0}:${s.guardPairs.join(';')}:${r.request ? 1 : 0}${r.subject ? 1 : 0}${r.obj ?? ''}${r.name ?? ''}${(r.params ?? []).join(',')}${r.fresh ? 'f' : ''}:${shapeOf(r, 0)}`;
}

/** The dict keys and list lengths of a returned value, a few levels deep: callers read entries of it. */
function shapeOf(v: Value, depth: number): string {
  if (depth >= MAX_NESTING / 2) return '';
  const dict = v.dict?.slice(0, 16).map((e) => `${e.key}${e.value.params ? `(${e.value.params.join(',')})` : ''}{${shapeOf(e.value, depth + 1)}}`).join(',') ?? '';
  const elems = v.elems?.map((e) => shapeOf(e, depth + 1)).join('|') ?? '';
  return dict + (elems ? `[${elems}]` : '');
}

/** A function authenticates when its body decodes a token or raises 401. */
export function isAuthBody(text: string, fn: FunctionInfo, settings: DynamoGuardSettings): boolean {
  if (matchesAny(fn.name, settings.authFunctions)) return true;
  const body = textOf(text, fn.body);
  return JWT_DECODE.test(body) || RAISES_401.test(body);
}

export function summarize(ctx: ModuleContext, fn: FunctionInfo, selfEnv?: Map<string, Value>, self?: Value): FunctionSummary {
  const env = new Map<string, Value>(selfEnv);
  fn.params.forEach((p, i) => env.set(p.name, { params: [i] }));
  if (self && fn.params[0]) env.set(fn.params[0].name, self);
  const flow = new FlowAnalyzer(ctx, fn, 'helper');
  const facts = flow.runFunction(env);
  let returns: Value = EMPTY;
  // Shaped: a factory's returned dict (a transaction entry, a request's kwargs) reaches its callers.
  for (const r of facts.returns) returns = joinShaped(returns, r.value);
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

export const PROPERTY_DECORATOR = /^(?:functools\.)?(?:property|cached_property)$/;
export const STATIC_DECORATOR = /^(?:staticmethod)$/;
export const CLASS_DECORATOR = /^(?:classmethod)$/;

/**
 * What a method's first parameter is in its summary: for a PynamoDB model, the item (whose key is
 * the caller's receiver key, parameter 0) or the model class; for another class, an instance of it
 * whose constructor-given attributes are parameters ATTR_PARAM_BASE + k (bound in `env` too).
 */
export function selfValue(ctx: ModuleContext, className: string, fn: FunctionInfo, attrs: readonly InstanceAttr[], env: Map<string, Value>): Value | undefined {
  const decorators = fn.decorators.map((d) => textOf(ctx.text, d));
  if (decorators.some((d) => STATIC_DECORATOR.test(d))) return undefined;
  const isClassMethod = decorators.some((d) => CLASS_DECORATOR.test(d));
  const cls = new FlowAnalyzer(ctx, undefined, 'module').classValueOf(className);
  if (cls.obj === 'pynamoModel') return isClassMethod ? cls : { obj: 'pynamoItem', name: className, key: { params: [0] } };
  if (cls.obj && cls.obj !== 'classRef') return undefined;
  if (isClassMethod) return { obj: 'classRef', name: className };
  const bound = paramAttrs(attrs);
  for (const a of bound) env.set(`self.${a.name}`, a.value);
  return { obj: 'instance', name: className, ...(bound.length ? { attrs: bound } : {}) };
}

/** `__init__`'s `self.<attr>` bindings over its parameters, for instances built with arguments. */
export function initTemplate(ctx: ModuleContext, className: string): InitTemplate | undefined {
  const init = ctx.structure.classes.get(className)?.methods.find((m) => m.name === '__init__');
  if (!init) return undefined;
  const env = new Map<string, Value>();
  init.params.forEach((p, i) => env.set(p.name, { params: [i] }));
  new FlowAnalyzer(ctx, init, 'module').runFunction(env);
  const attrs: InstanceAttr[] = [];
  const objects: InstanceAttr[] = [];
  for (const [k, v] of env) {
    if (!k.startsWith('self.') || k.indexOf('.', 5) >= 0) continue;
    if (v.params?.some((i) => i > 0 && i < ATTR_PARAM_BASE)) attrs.push({ name: k.slice(5), value: v });
    // Objects `__init__` builds itself (`self.entries = EntryBuilder(name)`): callers read `obj.entries.debit(...)`.
    else if (v.obj === 'instance') objects.push({ name: k.slice(5), value: v });
  }
  return { params: init.params.map((p) => p.name), attrs: [...attrs, ...objects] };
}

/** `self.<attr>` bindings made in `__init__` (tables kept on a repository object). */
export function classSelfEnv(ctx: ModuleContext, className: string): Map<string, Value> {
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
export function collectTypeAliases(ctx: ModuleContext): void {
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

export function importedValue(workspace: WorkspaceIndex | undefined, path: string | undefined, qualified: string): Value | undefined {
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
