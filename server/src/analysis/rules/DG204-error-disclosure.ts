import type { FileFacts, FunctionFacts } from '../model/facts';
import { textOf, type FunctionInfo } from '../model/module';
import type { Value } from '../model/values';
import { field, rangeOf, visit, type SyntaxNode } from '../parse/syntax';
import type { RuleModule } from './rule';
import { disclosureFix } from './support/disclosureFix';
import { errorNames, findErrorText, qualifiedCallee } from './support/errorText';

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
function errorHandlerParam(text: string, fn: FunctionInfo): string | undefined {
  for (const dec of fn.decorators) {
    const callee = dec.type === 'call' ? field(dec, 'function') : undefined;
    if (callee?.type !== 'attribute' || !ERROR_HANDLER.test(textOf(text, field(callee, 'attribute')!))) continue;
    const arg = field(dec, 'arguments')?.children.find((c) => c.named);
    if (!arg || HTTP_ERRORS.test(textOf(text, arg).split('.').pop()!)) return undefined;
    const params = fn.params.filter((p) => p.kind === 'normal' && p.name !== 'self');
    return params[params.length - 1]?.name;
  }
  return undefined;
}

function enclosing(node: SyntaxNode, type: string, stop: SyntaxNode): SyntaxNode | undefined {
  for (let p = node.parent; p && p !== stop; p = p.parent) if (p.type === type) return p;
  return undefined;
}

function check(facts: FileFacts, fnFacts: FunctionFacts, hasAbort: boolean, report: (stmt: SyntaxNode, expr: SyntaxNode, anchors: SyntaxNode[], errParam?: string) => void): void {
  const { text, module } = facts;
  const fn = fnFacts.fn;
  const errParam = errorHandlerParam(text, fn);
  let names: ReturnType<typeof errorNames> | undefined;
  const anchorsIn = (expr: SyntaxNode) => findErrorText(text, module, expr, (names ??= errorNames(text, module, fn.body, errParam ? [errParam] : [])));
  const responds = !!fnFacts.handler || !!errParam;
  // The model loses error text nested in a dict joined with other arguments (`Response(body={...}, status_code=500)`):
  // inside an `except` block the syntax alone is trusted.
  const reaches = (r: { node: SyntaxNode; value: Value }) => carriesError(r.value) || !!enclosing(r.node, 'except_clause', fn.node);
  for (const r of fnFacts.returns) {
    let expr = r.node.children.find((c) => c.named);
    // `return body, status[, headers]`: only the body is sent; error details may pick the status.
    if (expr && (expr.type === 'expression_list' || expr.type === 'tuple')) expr = expr.children.find((c) => c.named);
    if (!expr || !responds || !(errParam || reaches(r))) continue;
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

const rule: RuleModule = {
  meta: {
    code: 'DG204',
    name: 'error-disclosure',
    defaultSeverity: 'warning',
    summary: 'Exception text or DynamoDB error detail is sent to the client.',
    cwe: ['CWE-209'],
    owasp: ['API8:2023 Security Misconfiguration'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags exception text reaching an HTTP response: `str(e)`, `repr(e)`, `f"...{e}"`, `e.response["Error"]["Message"]`, `e.args`, `traceback.format_exc()` (directly or through a variable) in a handler\'s return value (`jsonify(error=str(e))`, `return str(e), 500`, a Lambda `{"statusCode": 500, "body": json.dumps({"error": str(e)})}`, `JSONResponse(content={"detail": str(e)})`), in a raised `HTTPException(detail=...)` or Chalice/werkzeug HTTP error (in any function: they always become responses), in Flask `abort(500, description=...)` inside an `except`, and in the return value of a Flask `@app.errorhandler(...)`/FastAPI `@app.exception_handler(...)` function registered for a non-HTTP exception. Logging the exception is fine. Exceptions caught as `*ValidationError` or as HTTP exceptions are not flagged: their messages are written for API clients; nor are the module\'s own exception classes that it only ever raises with literal messages (`raise OrderNotFound("Order not found")`). The finding points at the expression carrying the text.',
      whyIsThisBad: 'botocore and DynamoDB error messages name tables, indexes, key schemas, condition expressions and account details ("User: arn:aws:sts::123456789012:assumed-role/... is not authorized"); stack traces show code paths and library versions. An attacker uses them to map the backend and tune injection or enumeration attempts (CWE-209).',
      example: 'try:\n    table.update_item(...)\nexcept ClientError as e:\n    raise HTTPException(status_code=500, detail=str(e))',
      useInstead: 'try:\n    table.update_item(...)\nexcept ClientError:\n    logger.exception("update_order failed")\n    raise HTTPException(status_code=500, detail="Internal server error")',
      fixSafety: 'Replaces the error text with a generic message ("Internal server error", or the status phrase for a 4xx such as "Not found") and inserts `logger.exception("<function> failed")` before the statement (`logger.error(..., exc_info=<exception>)` in an error handler), using a module-level `logger`/`log` from `logging.getLogger` when there is one, else `logging.exception` with `import logging` added. No log line is added when the block already logs the exception. Safe: clients lose only the internal detail, operators keep it in the logs. Clients that parsed the old message text (rare, and a bug) need the status code instead.',
      references: ['https://cwe.mitre.org/data/definitions/209.html', 'https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/', 'https://cheatsheetseries.owasp.org/cheatsheets/Error_Handling_Cheat_Sheet.html'],
    },
  },
  messages: {
    disclosure: '`{{expr}}` sends exception text to the client: DynamoDB/botocore messages and tracebacks reveal tables, key schema and code paths. Return a generic message and log the exception.',
  },
  check(context) {
    const { facts } = context;
    const seen = new Set<number>();
    const hasAbort = facts.text.includes('abort(');
    for (const fnFacts of facts.functions) {
      // Exception text only exists after an `except` or from traceback/sys helpers; most functions have neither.
      const body = textOf(facts.text, fnFacts.fn.outer);
      if (!/\bexcept\b|traceback|exc_info|errorhandler|exception_handler/.test(body)) continue;
      check(facts, fnFacts, hasAbort, (stmt, expr, anchors, errParam) => {
        if (seen.has(stmt.start)) return;
        seen.add(stmt.start);
        const shown = textOf(facts.text, anchors[0]!).replace(/\s+/g, ' ');
        context.report({
          messageId: 'disclosure',
          data: { expr: shown.length > 60 ? shown.slice(0, 57) + '...' : shown },
          node: anchors[0]!,
          related: anchors.slice(1).map((a) => ({ range: rangeOf(a), message: 'More exception text in the same response' })),
          fixes: () => { const f = disclosureFix(facts, fnFacts.fn, stmt, expr, anchors, errParam); return f ? [f] : []; },
        });
      });
    }
  },
};

export default rule;
