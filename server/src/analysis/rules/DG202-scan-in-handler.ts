import * as path from 'path';
import type { FunctionFacts, TableCall } from '../model/facts';
import { rangeOf } from '../parse/syntax';
import type { RelatedLocation } from '../types';
import type { RuleContext, RuleModule } from './rule';
import { handlersReaching, servesRequests } from './support/reachingHandlers';

function isScan(call: TableCall): boolean {
  // `scan` on a boto3 Table or client (also aioboto3, unresolved receivers with DynamoDB-only
  // arguments) and PynamoDB `Model.scan()`; the model records nothing else under that name.
  return call.method === 'scan';
}

function calleeOf(call: TableCall): string {
  return call.api === 'pynamo' && call.pynamoModel ? `${call.pynamoModel}.scan()` : 'scan';
}

const MAX_NAMED = 3;

/** A scan inside a layer (repository, service, helper): reported there, naming the handlers that reach it. */
function checkLayer(context: RuleContext, fnFacts: FunctionFacts): void {
  const { facts } = context;
  for (const call of fnFacts.calls) {
    if (!isScan(call) || call.via) continue;
    const reaching = handlersReaching(facts, call);
    if (!reaching.length) continue;
    const names = [...new Set(reaching.map((r) => `\`${r.fn.fn.name}\``))];
    const handlers = names.slice(0, MAX_NAMED).join(', ') + (names.length > MAX_NAMED ? ` and ${names.length - MAX_NAMED} more` : '');
    const related: RelatedLocation[] = reaching.map((r) => ({
      range: rangeOf(r.call.methodNode),
      message: `Reached from handler \`${r.fn.fn.name}\`${r.fn.handler?.path ? ` (${r.fn.handler.path})` : ''}`,
      ...(r.facts !== facts && r.facts.path ? { path: path.resolve(r.facts.path) } : {}),
    }));
    context.report({
      messageId: 'inLayer',
      data: { callee: calleeOf(call), fn: fnFacts.fn.name, handlers, plural: names.length > 1 ? 's' : '' },
      node: call.methodNode,
      related,
    });
  }
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
      whatItDoes: 'Flags `scan` calls (boto3 `Table.scan`, `client.scan`, their aioboto3 equivalents, PynamoDB `Model.scan()`) made directly in an HTTP handler (FastAPI, Flask, Chalice, and `(event, context)` Lambda functions that read API Gateway fields: `pathParameters`, `queryStringParameters`, `body`, `headers`, `requestContext`; stream, queue and scheduled consumers are not handlers). A `Limit=`, a `FilterExpression` or a projection does not change the verdict: DynamoDB still reads the table page by page and a filter only drops items after they were read (and billed). Scans in scripts, migrations and scheduled jobs are not reported. A scan inside a layer (a repository, service or helper function, same file or another module of the workspace) is wrong for every caller, so it is reported once, on the `scan` in the layer, when some request handler reaches it (directly or through further layers, up to four modules up the imports): the message names the handlers and the related information points at each handler\'s call into the layer. The handlers\' calls are not reported as well, and a layer function called both from a handler of its own file and from other modules gives that one finding, naming all of them. A layer only scripts or jobs call stays silent.',
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
    inLayer: '`{{callee}}` in `{{fn}}` runs on every request to handler{{plural}} {{handlers}}: it reads the whole table (cost and latency grow with the table, and the read crosses every owner\'s items); query a key or an index instead.',
    scan: '`{{callee}}` in handler `{{handler}}` reads the whole table on every request (cost and latency grow with the table, and the read crosses every owner\'s items); query a key or an index instead.',
  },
  check(context) {
    for (const fnFacts of context.facts.functions) {
      if (!fnFacts.handler) {
        checkLayer(context, fnFacts);
        continue;
      }
      if (!servesRequests(context.facts, fnFacts)) continue;
      // A scan reached through a layer (`call.via`) is wrong for every caller: it is reported once,
      // in the layer, naming the handlers (checkLayer), not at each handler's call into it.
      for (const call of fnFacts.calls) {
        if (!isScan(call) || call.via) continue;
        const route = fnFacts.handler.route;
        context.report({
          messageId: 'scan',
          data: { callee: calleeOf(call), handler: fnFacts.fn.name },
          node: call.methodNode,
          ...(route ? { related: [{ range: rangeOf(route), message: 'Served on this route' }] } : {}),
        });
      }
    }
  },
};

export default rule;
