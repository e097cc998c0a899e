import type { FileFacts, FunctionFacts, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import { rangeOf } from '../parse/syntax';
import type { RuleModule } from './rule';

function isScan(call: TableCall): boolean {
  // `scan` on a boto3 Table or client (also aioboto3, unresolved receivers with DynamoDB-only
  // arguments) and PynamoDB `Model.scan()`; the model records nothing else under that name.
  return call.method === 'scan';
}

const API_GATEWAY = /\[\s*["'](pathParameters|queryStringParameters|multiValueQueryStringParameters|body|headers|requestContext|httpMethod|rawPath|routeKey)["']\s*\]|\.get\(\s*["'](pathParameters|queryStringParameters|body|headers|requestContext)["']/;

/** Any `(event, context)` function counts as a Lambda handler in the model; only API Gateway ones serve requests. */
function servesRequests(facts: FileFacts, fnFacts: FunctionFacts): boolean {
  return fnFacts.handler!.framework !== 'lambda' || API_GATEWAY.test(textOf(facts.text, fnFacts.fn.body));
}

const rule: RuleModule = {
  meta: {
    code: 'DG202',
    name: 'scan-in-handler',
    defaultSeverity: 'warning',
    summary: 'A request handler scans the table: every request reads (and pays for) every item, whoever asks.',
    cwe: ['CWE-400', 'CWE-770'],
    owasp: ['API4:2023 Unrestricted Resource Consumption'],
    fixable: false,
    docs: {
      whatItDoes: 'Flags `scan` calls (boto3 `Table.scan`, `client.scan`, their aioboto3 equivalents, PynamoDB `Model.scan()`) made directly in an HTTP handler (FastAPI, Flask, Chalice, and `(event, context)` Lambda functions that read API Gateway fields: `pathParameters`, `queryStringParameters`, `body`, `headers`, `requestContext`; stream, queue and scheduled consumers are not handlers). A `Limit=`, a `FilterExpression` or a projection does not change the verdict: DynamoDB still reads the table page by page and a filter only drops items after they were read (and billed). Scans in scripts, migrations, scheduled jobs and helper functions are not reported by themselves; a scan reached from a handler through a service, repository or helper (same file or another module of the workspace) is reported on the handler\'s call into that layer, with related information leading call by call to the `scan`.',
      whyIsThisBad: 'A scan walks the whole table. In a handler that means the cost and latency of a request grow with the table, any client can trigger full-table reads at will (a cheap denial-of-wallet), and the read crosses every owner\'s items, so one missing filter away from a data leak. DynamoDB is designed to serve requests with `get_item`/`query` on a key or an index.',
      example: '@app.get("/orders")\ndef list_orders(user=Depends(get_current_user)):\n    resp = orders.scan(\n        FilterExpression=Attr("customer_id").eq(user.id),\n        ProjectionExpression="order_id, total",\n    )\n    return resp["Items"]',
      useInstead: '# A GSI keyed by the owner serves the same request with a Query.\nresp = orders.query(\n    IndexName="by-customer",\n    KeyConditionExpression=Key("customer_id").eq(user.id),\n    ProjectionExpression="order_id, total",\n)',
      fixSafety: 'No automatic fix: replacing a scan needs a key or an index that answers the request (often a new GSI), which only the author can design. Where a scan is deliberate (a small admin-only table, a bounded export), suppress the finding on that line with a comment saying why.',
      references: [
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-query-scan.html',
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html',
        'https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/',
      ],
    },
  },
  messages: {
    layered: '{{layer}} runs a `{{callee}}` on every request to handler `{{handler}}`: it reads the whole table (cost and latency grow with the table, and the read crosses every owner\'s items); query a key or an index instead.',
    scan: '`{{callee}}` in handler `{{handler}}` reads the whole table on every request (cost and latency grow with the table, and the read crosses every owner\'s items); query a key or an index instead.',
  },
  check(context) {
    for (const fnFacts of context.facts.handlers) {
      if (!servesRequests(context.facts, fnFacts)) continue;
      for (const call of fnFacts.calls) {
        if (!isScan(call)) continue;
        const route = fnFacts.handler!.route;
        const callee = call.api === 'pynamo' && call.pynamoModel ? `${call.pynamoModel}.scan()` : 'scan';
        // Made inside a layer (service, repository): whether it runs per request depends on the
        // caller, so the finding goes on the handler's call into the layer (Layers, RULES.md).
        const layer = call.via?.[0]?.label;
        context.report({
          messageId: layer ? 'layered' : 'scan',
          data: { callee, handler: fnFacts.fn.name, ...(layer ? { layer } : {}) },
          node: call.methodNode,
          ...(route ? { related: [{ range: rangeOf(route), message: 'Served on this route' }] } : {}),
        });
      }
    }
  },
};

export default rule;
