import { textOf } from '../model/module';
import { rangeOf } from '../parse/syntax';
import type { RuleModule } from './rule';
import { disclosureFix } from './support/disclosureFix';
import { findDisclosures } from './support/errorDisclosure';

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
      whatItDoes: 'Flags exception text reaching an HTTP response: `str(e)`, `repr(e)`, `f"...{e}"`, `e.response["Error"]["Message"]`, `e.args`, `traceback.format_exc()` (directly or through a variable) in a handler\'s return value (`jsonify(error=str(e))`, `return str(e), 500`, a Lambda `{"statusCode": 500, "body": json.dumps({"error": str(e)})}`, `JSONResponse(content={"detail": str(e)})`), in a raised `HTTPException(detail=...)` or Chalice/werkzeug HTTP error (in any function: they always become responses), in Flask `abort(500, description=...)` inside an `except`, and in the return value of a Flask `@app.errorhandler(...)`/FastAPI `@app.exception_handler(...)` function registered for a non-HTTP exception. A handler that returns through a response helper of the same file or of a workspace module (`return error_response(e)`, `return respond(500, str(e))`, `return replies.failure(409, repr(e))`, also helpers calling helpers) is judged by the helper\'s summary: reported when the exception text reaches the body the helper builds, silent when the helper only logs it and returns a generic body. Logging the exception is fine. Exceptions caught as `*ValidationError` or as HTTP exceptions are not flagged: their messages are written for API clients; nor are curated application exceptions: classes defined in the workspace (in this module or imported, also through relative imports and package re-exports) that no module of the workspace raises, themselves or through a subclass, with anything but literal messages (`raise OrderNotFound("Order not found")`), and whose own definition formats no traceback or chained cause. The same class raised anywhere with `str(e)` or an f-string over a caught error is not curated, and is reported wherever its text is sent; an `errorhandler` registered for a curated class is not reported either. The finding points at the expression carrying the text.',
      whyIsThisBad: 'botocore and DynamoDB error messages name tables, indexes, key schemas, condition expressions and account details ("User: arn:aws:sts::123456789012:assumed-role/... is not authorized"); stack traces show code paths and library versions. An attacker uses them to map the backend and tune injection or enumeration attempts (CWE-209).',
      example: 'try:\n    table.update_item(...)\nexcept ClientError as e:\n    raise HTTPException(status_code=500, detail=str(e))',
      useInstead: 'try:\n    table.update_item(...)\nexcept ClientError:\n    logger.exception("update_order failed")\n    raise HTTPException(status_code=500, detail="Internal server error")',
      fixSafety: 'When the exception object itself is handed to a response helper (`error_response(e)`) no fix is offered: the helper may need the object. Replaces the error text with a generic message ("Internal server error", or the status phrase for a 4xx such as "Not found") and inserts `logger.exception("<function> failed")` before the statement (`logger.error(..., exc_info=<exception>)` in an error handler), using a module-level `logger`/`log` from `logging.getLogger` when there is one, else `logging.exception` with `import logging` added. No log line is added when the block already logs the exception. Safe: clients lose only the internal detail, operators keep it in the logs. Clients that parsed the old message text (rare, and a bug) need the status code instead.',
      references: ['https://cwe.mitre.org/data/definitions/209.html', 'https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/', 'https://cheatsheetseries.owasp.org/cheatsheets/Error_Handling_Cheat_Sheet.html'],
    },
  },
  messages: {
    disclosure: '`{{expr}}` sends exception text to the client: DynamoDB/botocore messages and tracebacks reveal tables, key schema and code paths. Return a generic message and log the exception.',
    throughHelper: '`{{expr}}` reaches the client through `{{helper}}()`, which puts it in the response: DynamoDB/botocore messages and tracebacks reveal tables, key schema and code paths. Return a generic message and log the exception.',
  },
  check(context) {
    const { facts } = context;
    const seen = new Set<number>();
    const hasAbort = facts.text.includes('abort(');
    for (const fnFacts of facts.functions) {
      // Exception text only exists after an `except` or from traceback/sys helpers; most functions have neither.
      const body = textOf(facts.text, fnFacts.fn.outer);
      if (!/\bexcept\b|traceback|exc_info|errorhandler|exception_handler/.test(body)) continue;
      findDisclosures(facts, fnFacts, hasAbort, (stmt, expr, anchors, errParam, helper) => {
        if (seen.has(stmt.start)) return;
        seen.add(stmt.start);
        const shown = textOf(facts.text, anchors[0]!).replace(/\s+/g, ' ');
        const related = anchors.slice(1).map((a) => ({ range: rangeOf(a), message: 'More exception text in the same response' }));
        if (helper?.def) related.push({ range: rangeOf(helper.def), message: `\`${helper.name}\` puts it in the response body` });
        // Handing the exception object over: a generic string in its place may break the helper.
        const textOnly = !helper || anchors.every((a) => a.type !== 'identifier');
        context.report({
          messageId: helper ? 'throughHelper' : 'disclosure',
          data: { expr: shown.length > 60 ? shown.slice(0, 57) + '...' : shown, ...(helper ? { helper: helper.name } : {}) },
          node: anchors[0]!,
          related,
          fixes: () => { const f = textOnly ? disclosureFix(facts, fnFacts.fn, stmt, expr, anchors, errParam) : undefined; return f ? [f] : []; },
        });
      });
    }
  },
};

export default rule;
