import type { FileFacts, FunctionFacts } from '../../model/facts';
import { textOf, type FunctionInfo } from '../../model/module';
import type { Value } from '../../model/values';
import { field, visit, type SyntaxNode } from '../../parse/syntax';
import { curatedError } from '../../facts/errors';
import { errorNames, findErrorText, qualifiedCallee } from './errorText';

// DG204's search: where exception text leaves a function as a response (returns, raised HTTP
// errors, Flask abort, error handlers, response helpers judged by their summaries).

export type DisclosureReport = (stmt: SyntaxNode, expr: SyntaxNode, anchors: SyntaxNode[], errParam?: string, helper?: { name: string; def?: SyntaxNode }) => void;

const ERROR_HANDLER = /^(errorhandler|app_errorhandler|exception_handler)$/;
/** Handlers for HTTP errors render messages the application chose: not exception internals. */
const HTTP_ERRORS = /^(4\d\d|\w*HTTPException|RequestValidationError|\w*ValidationError|NotFound|BadRequest|Unauthorized|Forbidden|MethodNotAllowed|Conflict|Gone|TooManyRequests|UnprocessableEntity)$/;
const RESPONSE_EXCEPTION = /^(fastapi|starlette|werkzeug|chalice|flask)\.|HTTPException$|^HTTPError$/;

function carriesError(v: Value, depth = 0): boolean {
  if (v.error) return true;
  if (depth > 4) return false;
  return !!(v.dict?.some((e) => carriesError(e.value, depth + 1)) || (v.elem && carriesError(v.elem, depth + 1)));
}

/** The exception parameter of a Flask `@app.errorhandler(E)` / FastAPI `@app.exception_handler(E)` function for non-HTTP errors. */
function errorHandlerParam(text: string, fn: FunctionInfo, curated: (type: string) => boolean): string | undefined {
  for (const dec of fn.decorators) {
    const callee = dec.type === 'call' ? field(dec, 'function') : undefined;
    if (callee?.type !== 'attribute' || !ERROR_HANDLER.test(textOf(text, field(callee, 'attribute')!))) continue;
    const arg = field(dec, 'arguments')?.children.find((c) => c.named);
    if (!arg || HTTP_ERRORS.test(textOf(text, arg).split('.').pop()!) || curated(textOf(text, arg))) return undefined;
    const params = fn.params.filter((p) => p.kind === 'normal' && p.name !== 'self');
    return params[params.length - 1]?.name;
  }
  return undefined;
}

function enclosing(node: SyntaxNode, type: string, stop: SyntaxNode): SyntaxNode | undefined {
  for (let p = node.parent; p && p !== stop; p = p.parent) if (p.type === type) return p;
  return undefined;
}

/**
 * `error_response(e)`, `utils.respond(500, msg)`: a call to a function of this file or of a
 * workspace module, whose summary says what reaches the response (the model applies it).
 */
function summarizedHelper(facts: FileFacts, expr: SyntaxNode): { name: string; def?: SyntaxNode } | undefined {
  if (expr.type !== 'call') return undefined;
  const callee = textOf(facts.text, field(expr, 'function')!);
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/.test(callee)) return undefined;
  const local = facts.module.topFunctions.get(callee);
  if (local) return { name: callee, def: local.nameNode };
  const dot = callee.indexOf('.');
  const head = dot < 0 ? callee : callee.slice(0, dot);
  const imp = facts.module.imports.get(head);
  if (!imp || !facts.workspace?.moduleFacts) return undefined;
  const qualified = imp.qualified + (dot < 0 ? '' : callee.slice(dot));
  const cut = qualified.lastIndexOf('.');
  if (cut <= 0) return undefined;
  const mod = facts.workspace.moduleFacts(facts.path, qualified.slice(0, cut));
  return mod?.facts.module.topFunctions.has(qualified.slice(cut + 1)) ? { name: callee } : undefined;
}

export function findDisclosures(facts: FileFacts, fnFacts: FunctionFacts, hasAbort: boolean, report: DisclosureReport): void {
  const { text, module } = facts;
  const fn = fnFacts.fn;
  const curatedMemo = new Map<string, boolean>();
  const curated = (type: string) => curatedMemo.get(type) ?? (curatedMemo.set(type, curatedError(facts, type)), curatedMemo.get(type)!);
  const errParam = errorHandlerParam(text, fn, curated);
  let names: ReturnType<typeof errorNames> | undefined;
  const anchorsIn = (expr: SyntaxNode) => findErrorText(text, module, expr, (names ??= errorNames(text, module, fn.body, errParam ? [errParam] : [], curated)), curated);
  const responds = !!fnFacts.handler || !!errParam;
  // The model loses error text nested in a dict joined with other arguments (`Response(body={...}, status_code=500)`):
  // inside an `except` block the syntax alone is trusted.
  const reaches = (r: { node: SyntaxNode; value: Value }) => carriesError(r.value) || !!enclosing(r.node, 'except_clause', fn.node);
  for (const r of fnFacts.returns) {
    let expr = r.node.children.find((c) => c.named);
    // `return body, status[, headers]`: only the body is sent; error details may pick the status.
    if (expr && (expr.type === 'expression_list' || expr.type === 'tuple')) expr = expr.children.find((c) => c.named);
    if (!expr || !responds) continue;
    // A response helper: its summary decides (one that logs `e` and returns a generic body is fine).
    const helper = fnFacts.handler && !errParam ? summarizedHelper(facts, expr) : undefined;
    if (helper) {
      if (!carriesError(r.value)) continue;
      const text = anchorsIn(expr);
      // `error_response(e)`: the exception itself is handed over and turned into text inside.
      const passed = field(expr, 'arguments')?.children.filter((a) => a.type === 'identifier' && names?.get(textOf(facts.text, a)) === 'exc') ?? [];
      const anchors = text.length ? text : passed;
      if (anchors.length) report(r.node, expr, anchors, undefined, helper);
      continue;
    }
    if (!(errParam || reaches(r))) continue;
    const anchors = anchorsIn(expr);
    if (anchors.length) report(r.node, expr, anchors, errParam);
  }
  // An HTTP exception is a response wherever it is raised (helpers and dependencies included).
  for (const r of fnFacts.raises) {
    const expr = r.node.children.find((c) => c.named);
    if (expr?.type !== 'call' || !RESPONSE_EXCEPTION.test(qualifiedCallee(text, module, expr)) || !reaches(r)) continue;
    const anchors = anchorsIn(expr);
    if (anchors.length) report(r.node, expr, anchors);
  }
  // Flask's abort(500, description=str(e)) renders the description into the error page.
  if (!hasAbort) return;
  visit(fn.body, (n) => {
    if (n.type === 'function_definition' || n.type === 'class_definition') return false;
    if (n.type !== 'call' || !/^(flask|werkzeug\.exceptions)\.abort$/.test(qualifiedCallee(text, module, n))) return true;
    const stmt = n.parent?.type === 'expression_statement' ? n.parent : undefined;
    if (!stmt || !enclosing(n, 'except_clause', fn.node)) return true;
    const anchors = anchorsIn(n);
    if (anchors.length) report(stmt, n, anchors);
    return false;
  });
}

