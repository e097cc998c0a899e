import type { DynamoGuardSettings } from '../../protocol';
import { field, type SyntaxNode } from '../parse/syntax';
import type { HandlerInfo } from './facts';
import { declaresValidation, enumClasses, type FlowAnalyzer, type ModuleContext } from './flow';
import { textOf, type FunctionInfo, type ParamInfo } from './module';
import { HTTP_METHOD_DECORATORS, isAuthDecoratorName, METHOD_VIEW_METHODS } from './names';
import { EMPTY, type Source, type Value } from './values';

// Handler recognition (RULES.md "Handler") and the values of a handler's parameters.

const LAMBDA_EVENT = /^_?(event|evt)$/;
const LAMBDA_CONTEXT = /^_?(context|ctx|lambda_context)$|^_+$/;

function lastName(text: string): string {
  return text.slice(text.lastIndexOf('.') + 1);
}

function kwarg(ctx: ModuleContext, call: SyntaxNode, name: string): SyntaxNode | undefined {
  const args = field(call, 'arguments');
  for (const a of args?.children ?? []) {
    if (a.type === 'keyword_argument' && textOf(ctx.text, field(a, 'name')!) === name) return field(a, 'value');
  }
  return undefined;
}

function firstStringArg(ctx: ModuleContext, call: SyntaxNode): string | undefined {
  const a = field(call, 'arguments')?.children.find((c) => c.named && c.type !== 'keyword_argument');
  if (a?.type !== 'string') return undefined;
  return a.children.filter((c) => c.type === 'string_content').map((c) => textOf(ctx.text, c)).join('');
}

function importsFrom(ctx: ModuleContext, pkg: string): boolean {
  for (const imp of ctx.structure.imports.values()) if (imp.qualified === pkg || imp.qualified.startsWith(pkg + '.')) return true;
  return false;
}

/** Recognise a handler from its decorators, its class (MethodView) or its signature (Lambda). */
export function detectHandler(ctx: ModuleContext, flow: FlowAnalyzer, fn: FunctionInfo): HandlerInfo | undefined {
  const settings = ctx.settings;
  let info: HandlerInfo | undefined;
  let authenticatedBy: SyntaxNode | undefined;
  for (const dec of fn.decorators) {
    const call = dec.type === 'call' ? dec : undefined;
    const callee = call ? field(call, 'function')! : dec;
    const calleeText = textOf(ctx.text, callee);
    const method = lastName(calleeText);
    if (call && callee.type === 'attribute' && HTTP_METHOD_DECORATORS.has(method)) {
      const recvNode = field(callee, 'object')!;
      const recv = flow.evalStandalone(recvNode);
      const path = firstStringArg(ctx, call);
      let framework: HandlerInfo['framework'] | undefined;
      if (recv.obj === 'fastapiApp' || recv.obj === 'apiRouter') framework = 'fastapi';
      else if (recv.obj === 'flaskApp' || recv.obj === 'blueprint') framework = 'flask';
      else if (recv.obj === 'chaliceApp') framework = 'chalice';
      else if (path?.startsWith('/')) {
        // Router imported from elsewhere: infer the framework from the file's imports.
        if (importsFrom(ctx, 'fastapi')) framework = 'fastapi';
        else if (importsFrom(ctx, 'flask')) framework = 'flask';
        else if (importsFrom(ctx, 'chalice')) framework = 'chalice';
      }
      if (!framework) continue;
      const methods = methodsOf(ctx, call, method);
      info = { framework, route: dec, methods, subjectParams: [], responseNarrowed: false };
      if (path !== undefined) info.path = path;
      if (recv.name === 'authenticated') authenticatedBy = dec;
      const deps = kwarg(ctx, call, 'dependencies');
      if (deps && flow.hasAuthDependency(deps)) authenticatedBy = deps;
      const authorizer = kwarg(ctx, call, 'authorizer');
      if (framework === 'chalice' && authorizer && textOf(ctx.text, authorizer) !== 'None') authenticatedBy = authorizer;
      const rm = kwarg(ctx, call, 'response_model');
      if (rm && textOf(ctx.text, rm) !== 'None') info.responseNarrowed = true;
      continue;
    }
    if (isAuthDecoratorName(method, settings.authFunctions) || checksSession(ctx, flow, calleeText)) authenticatedBy = dec;
  }
  if (!info && fn.className && METHOD_VIEW_METHODS.has(fn.name)) {
    const cls = ctx.structure.classes.get(fn.className);
    const isView = cls?.bases.some((b) => /(MethodView|View)$/.test(textOf(ctx.text, b)));
    if (isView) {
      info = { framework: 'flask', methods: [fn.name.toUpperCase()], subjectParams: [], responseNarrowed: false };
      // `decorators = [login_required]` on the class authenticates every method.
      const body = field(cls!.node, 'body');
      for (const stmt of body?.children ?? []) {
        const asg = stmt.children[0];
        if (asg?.type === 'assignment' && textOf(ctx.text, field(asg, 'left')!) === 'decorators') {
          const list = field(asg, 'right');
          for (const d of list?.children ?? []) if (d.named && isAuthDecoratorName(lastName(textOf(ctx.text, d.type === 'call' ? field(d, 'function')! : d)), settings.authFunctions)) authenticatedBy = d;
        }
      }
    }
  }
  if (!info && !fn.className) {
    const [p0, p1] = fn.params;
    // RULES.md: an (event, context)-shaped function, or one the infrastructure code names as a handler.
    if (p0 && ((p1 && LAMBDA_EVENT.test(p0.name) && LAMBDA_CONTEXT.test(p1.name)) || ctx.deployedHandler?.(fn.name))) {
      info = { framework: 'lambda', methods: [], subjectParams: [], responseNarrowed: false };
    }
  }
  if (!info) return undefined;
  if (authenticatedBy) info.authenticatedBy = authenticatedBy;
  if (info.framework === 'fastapi' && fn.returnType && isExplicitModel(ctx, fn.returnType)) info.responseNarrowed = true;
  return info;
}

const sessionDecorators = new WeakMap<FunctionInfo, boolean>();
const MAX_DECORATOR_NODES = 4000;

/**
 * A decorator of this file whose wrapper leaves when the session has no user
 * (`if "user_id" not in session: return redirect(...)`) authenticates like `@login_required`.
 */
function checksSession(ctx: ModuleContext, flow: FlowAnalyzer, name: string): boolean {
  const def = ctx.structure.topFunctions.get(name);
  if (!def) {
    // Imported (`from app.auth import signed_in`, `import auth` + `@auth.signed_in`): the defining module says.
    const head = name.split('.')[0]!;
    const imp = ctx.structure.imports.get(head);
    return !!imp && !!ctx.sessionDecorator?.(imp.qualified + name.slice(head.length));
  }
  return isSessionDecorator(ctx, flow, def);
}

/** Does the wrapper of decorator `def` (a function of the module `ctx` describes) leave when the session has no user? */
export function isSessionDecorator(ctx: ModuleContext, flow: FlowAnalyzer, def: FunctionInfo): boolean {
  let known = sessionDecorators.get(def);
  if (known !== undefined) return known;
  known = false;
  const stack = [def.node];
  for (let seen = 0; stack.length && seen < MAX_DECORATOR_NODES && !known; seen++) {
    const n = stack.pop()!;
    if (n.type === 'if_statement') {
      const cond = field(n, 'condition');
      const last = field(n, 'consequence')?.children.filter((c) => c.named).pop();
      const abort = last?.type === 'expression_statement' && last.children[0]?.type === 'call' && /(^|\.)abort$/.test(textOf(ctx.text, field(last.children[0], 'function')!));
      if (cond && (last?.type === 'return_statement' || last?.type === 'raise_statement' || abort) && flow.leavesWithoutSubject(cond)) known = true;
    }
    for (const c of n.children) if (c.named) stack.push(c);
  }
  sessionDecorators.set(def, known);
  return known;
}

function methodsOf(ctx: ModuleContext, call: SyntaxNode, decoratorName: string): string[] {
  if (decoratorName !== 'route' && decoratorName !== 'api_route') return [decoratorName.toUpperCase()];
  const m = kwarg(ctx, call, 'methods');
  if (!m) return ['GET'];
  const out: string[] = [];
  for (const c of m.children) if (c.type === 'string') out.push(textOf(ctx.text, c).replace(/^[rbuf]*["']|["']$/gi, '').toUpperCase());
  return out.length ? out : ['GET'];
}

/** A return annotation that names a model (not dict/Any/Response): FastAPI filters the response through it. */
function isExplicitModel(ctx: ModuleContext, ann: SyntaxNode): boolean {
  const text = textOf(ctx.text, ann).replace(/\s/g, '');
  if (/^(dict|Dict|Any|object|None|JSONResponse|Response|list|List)(\[.*\])?$/.test(text) && !/\[(list|List)?\[?[A-Z]\w*(Out|Public|Response|Model|Schema|View)\]/.test(text)) {
    const inner = /\[(\w+)\]$/.exec(text)?.[1];
    return !!inner && ctx.structure.classes.has(inner);
  }
  // The lookbehind makes a long run of word characters cost one pass, not one per position.
  const name = /(?<!\w)(\w+)\]*$/.exec(text)?.[1] ?? '';
  return ctx.structure.classes.has(name) || /^[A-Z]/.test(name);
}

/** Name of the function inside `Depends(f)` / `Security(f)` / `Annotated[T, Depends(f)]`, or '' for `Depends()`. */
export function dependencyOf(ctx: ModuleContext, p: ParamInfo): string | undefined {
  const d = dependencyTarget(ctx, p);
  return d === undefined ? undefined : lastName(d);
}

/** The dependency as written (`dependencies.get_wallet`), or '' for `Depends()`. */
function dependencyTarget(ctx: ModuleContext, p: ParamInfo): string | undefined {
  const fromCall = (n: SyntaxNode | undefined): string | undefined => {
    if (n?.type !== 'call') return undefined;
    const callee = lastName(textOf(ctx.text, field(n, 'function')!));
    if (callee !== 'Depends' && callee !== 'Security') return undefined;
    const a = field(n, 'arguments')?.children.find((c) => c.named && c.type !== 'keyword_argument') ??
      field(n, 'arguments')?.children.find((c) => c.type === 'keyword_argument' && textOf(ctx.text, field(c, 'name')!) === 'dependency');
    const target = a?.type === 'keyword_argument' ? field(a, 'value') : a;
    return target ? textOf(ctx.text, target) : '';
  };
  const d = fromCall(p.default);
  if (d !== undefined) return d;
  const ann = p.annotation;
  if (!ann) return undefined;
  const annText = textOf(ctx.text, ann);
  // `user: CurrentUser` where `CurrentUser = Annotated[User, Depends(get_current_user)]`
  const alias = /^\w+$/.test(annText) ? ctx.globals.get(annText) : undefined;
  if (alias?.name?.startsWith('depends:')) return alias.name.slice('depends:'.length);
  if (/Annotated\[/.test(annText)) {
    const m = /(?:Depends|Security)\(\s*(?:dependency\s*=\s*)?([\w.]*)/.exec(annText);
    if (m) return m[1] ?? '';
  }
  return undefined;
}

function annotationName(ctx: ModuleContext, p: ParamInfo): string | undefined {
  if (!p.annotation) return undefined;
  const text = textOf(ctx.text, p.annotation).replace(/\s/g, '');
  const m = /^(?:Annotated\[)?([\w.]+)/.exec(text);
  return m ? lastName(m[1]!) : undefined;
}

const SCALAR = /^(str|int|float|bool|bytes|Optional|Union|List|list|Set|set|Tuple|tuple|Sequence|Literal|UUID|uuid|date|datetime|time|timedelta|Decimal|EmailStr|constr|conint|confloat|HttpUrl|AnyUrl|Enum)$/;
const PARAM_KINDS: Record<string, string> = { Header: 'header', Cookie: 'cookie', Form: 'form field', File: 'uploaded file', UploadFile: 'uploaded file', Path: 'path parameter', Query: 'query parameter' };

/** How FastAPI reads a parameter (for messages): a class annotation not known here is a body model. */
function fastapiParamKind(ctx: ModuleContext, p: ParamInfo, ann: string | undefined, pathParams: Set<string>): string {
  if (pathParams.has(p.name)) return 'path parameter';
  const marker = p.default?.type === 'call' ? lastName(textOf(ctx.text, field(p.default, 'function')!)) : undefined;
  if (marker && PARAM_KINDS[marker]) return PARAM_KINDS[marker]!;
  if (ann && PARAM_KINDS[ann]) return PARAM_KINDS[ann]!;
  return ann && /^[A-Z]/.test(ann) && !SCALAR.test(ann) ? 'request body' : 'query parameter';
}

/** Initial values of a handler's parameters, and which ones hold the subject. */
export function handlerEnv(
  ctx: ModuleContext,
  fn: FunctionInfo,
  handler: HandlerInfo,
  summaryReturns: (name: string, bind?: (param: string) => Value | undefined) => Value | undefined,
): Map<string, Value> {
  const env = new Map<string, Value>();
  const pathParams = new Set<string>();
  for (const m of (handler.path ?? '').matchAll(/[{<](?:\w+:)?(\w+)(?::\w+)?[}>]/g)) pathParams.add(m[1]!);
  // Flask converters that validate: `<uuid:note_id>`, `<any(open, closed):status>`.
  const convertedParams = new Set<string>();
  for (const m of (handler.path ?? '').matchAll(/<(?:uuid|any\([^)>]*\)):(\w+)>/g)) convertedParams.add(m[1]!);
  const params = fn.params.filter((p, i) => !(i === 0 && fn.className && (p.name === 'self' || p.name === 'cls')));
  if (handler.framework === 'lambda') {
    env.set(params[0]!.name, { obj: 'lambdaEvent' });
    return env;
  }
  for (const p of params) {
    const src = (label: string): Source => ({ id: `param:${p.name}`, label, node: p.nameNode });
    if (handler.framework === 'fastapi') {
      const dep = dependencyOf(ctx, p);
      if (dep !== undefined) {
        if (dep && ctx.isAuthFunction(dep)) {
          handler.subjectParams.push(p);
          handler.authFunction ??= dep;
          env.set(p.name, { subject: [src(`the authenticated user \`${p.name}\` (\`Depends(${dep})\`)`)] });
          continue;
        }
        // A provider's parameter named like a path parameter of the route is filled from the path
        // (`get_wallet(wallet_id)` under `/{wallet_id}/...`): request input in what it returns.
        const fromPath = (name: string): Value | undefined =>
          pathParams.has(name) ? { request: [{ id: `param:${name}`, label: `path parameter \`${name}\` (\`Depends(${dep})\`)`, node: p.nameNode }] } : undefined;
        const provided = dep ? summaryReturns(dependencyTarget(ctx, p) || dep, fromPath) : undefined;
        if (provided && (provided.obj === 'table' || provided.obj === 'dynamoClient' || provided.obj === 'dynamoResource' || provided.obj === 'instance')) {
          env.set(p.name, provided);
          continue;
        }
        if (provided?.subject) {
          handler.subjectParams.push(p);
          env.set(p.name, { subject: [src(`\`${p.name}\` (\`Depends(${dep})\`)`)] });
          continue;
        }
        // `Depends(SomeQueryModel)` or `Depends()` on a class: query parameters.
        const ann = annotationName(ctx, p);
        if ((dep && ctx.structure.classes.has(dep)) || (dep === '' && ann && ctx.structure.classes.has(ann))) {
          env.set(p.name, { request: [src(`query parameters \`${p.name}\``)] });
          continue;
        }
        env.set(p.name, EMPTY);
        continue;
      }
      const ann = annotationName(ctx, p);
      if (ann === 'Request' || ann === 'HTTPConnection') {
        env.set(p.name, { obj: 'starletteRequest' });
        continue;
      }
      if (ann && ['Response', 'BackgroundTasks', 'WebSocket', 'Session', 'AsyncSession'].includes(ann)) {
        env.set(p.name, EMPTY);
        continue;
      }
      const decl = `${p.annotation ? textOf(ctx.text, p.annotation) : ''} = ${p.default ? textOf(ctx.text, p.default) : ''}`;
      const checked = declaresValidation(ctx, decl) ? { checked: true } : {};
      if (ann && enumClasses(ctx).has(ann)) {
        env.set(p.name, { request: [src(`${pathParams.has(p.name) ? 'path' : 'query'} parameter \`${p.name}\``)], checked: true });
        continue;
      }
      if (ann && ctx.structure.classes.has(ann)) {
        const s = src(`request body \`${p.name}\``);
        env.set(p.name, { request: [s], payload: s, model: ann });
        continue;
      }
      // `payload: dict = Body(...)`: the whole JSON body.
      const isBody = p.default?.type === 'call' && /^(fastapi\.)?Body$/.test(textOf(ctx.text, field(p.default, 'function')!));
      if (isBody || (ann && /^(dict|Dict|Mapping|MutableMapping|Any|JSON|Json)$/.test(ann) && !pathParams.has(p.name))) {
        const s = src(`request body \`${p.name}\``);
        env.set(p.name, { request: [s], payload: s });
        continue;
      }
      env.set(p.name, { request: [src(`${fastapiParamKind(ctx, p, ann, pathParams)} \`${p.name}\``)], ...checked });
      continue;
    }
    // Flask view args and Chalice URI params.
    env.set(p.name, { request: [src(`path parameter \`${p.name}\``)], ...(convertedParams.has(p.name) ? { checked: true } : {}) });
  }
  return env;
}

export function settingsKey(settings: DynamoGuardSettings): string {
  return JSON.stringify(settings);
}
