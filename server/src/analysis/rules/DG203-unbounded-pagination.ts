import { unvalidatedSources, type Value } from '../model/values';
import { rangeOf, type SyntaxNode } from '../parse/syntax';
import type { RuleModule } from './rule';
import { clampFix } from './support/limitClamp';
import { calledFromHandler, drainsAllPages, returnsAccumulated } from './support/pageDrain';

// boto3 names, then PynamoDB's.
const PAGING_ARGS = { boto: ['Limit', 'ExclusiveStartKey'], pynamo: ['limit', 'last_evaluated_key'] };

type Arg = { node: SyntaxNode; value: Value; argNode: SyntaxNode };

/** The keyword argument (or the `"Limit": x` entry of a `**kwargs` dict) to anchor on. */
function anchorOf(arg: Arg): SyntaxNode {
  if (arg.argNode.type === 'keyword_argument') return arg.argNode;
  return arg.node.parent?.type === 'pair' ? arg.node.parent : arg.node;
}

/** A start key with a subject-bound attribute stays in the caller's partition. */
function scopedStartKey(v: Value): boolean {
  return !!v.dict?.some((e) => e.value.subject?.length);
}

const rule: RuleModule = {
  meta: {
    code: 'DG203',
    name: 'unbounded-pagination',
    defaultSeverity: 'warning',
    summary: '`Limit` or `ExclusiveStartKey` comes from the request unchecked, or a handler follows LastEvaluatedKey until the whole table or partition is in the response.',
    cwe: ['CWE-770', 'CWE-400'],
    owasp: ['API4:2023 Unrestricted Resource Consumption'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags `query`/`scan` calls (PynamoDB: `limit=`/`last_evaluated_key=`) in HTTP handlers with:\n\n- a `Limit` taken from the request with no upper bound. `min(int(x), MAX)`, FastAPI `Query(le=...)`/`lt=`, `conint(le=...)`, `if x > MAX: <leave>`, `1 <= x <= MAX` and an allow-list check (as in DG104) are bounds; `int(x)` alone is not;\n- an `ExclusiveStartKey` taken from the request (a decoded cursor), unless validated, signed (`unsign()`, `decrypt()`, a serializer\'s `loads()`) or a dict with a subject-bound attribute;\n- a loop following `LastEvaluatedKey` (fed back as `ExclusiveStartKey`) that accumulates every page into what the handler returns (the items, or for a scan only aggregates computed from them: counts, sums), with no cap on pages or items (`range(MAX_PAGES)`, `len(items) < N`). The loop may sit in a helper of the same file that a handler calls.\n\nAnchored on the `Limit=`/`ExclusiveStartKey=` argument (or its entry in a `**kwargs` dict), and on the method name for a draining loop. Paginators (`client.get_paginator`) are not modelled.',
      whyIsThisBad: 'A caller who sets `?limit=1000000` gets pages of up to 1 MB of items per request and sets the read cost; one who supplies `ExclusiveStartKey` chooses where the read starts, with any key shape, which is enumeration on a scan and a crafted-input path into DynamoDB otherwise. A handler that drains `LastEvaluatedKey` returns the whole table or partition in one response: latency, memory and read capacity grow with the data, and any client can trigger it at will (OWASP API4).',
      example: '@app.route("/orders")\n@login_required\ndef list_orders():\n    resp = orders.query(\n        KeyConditionExpression=Key("customer_id").eq(current_user.id),\n        Limit=int(request.args.get("limit", 50)),\n    )\n    return jsonify(resp["Items"])',
      useInstead: 'MAX_PAGE = 100\n...\n        Limit=min(int(request.args.get("limit", 50)), MAX_PAGE),\n# and return resp.get("LastEvaluatedKey") (signed) as the next-page cursor',
      fixSafety: 'For `Limit` the fix wraps the value as `min(int(<value>), MAX_PAGE)` (no `int()` when the value is already an `int`), reusing a module constant `MAX_PAGE`/`MAX_PAGE_SIZE`/`MAX_LIMIT` when the file has one (safe: the bound was chosen by the author) and otherwise adding `MAX_PAGE = 100` after the imports (offered, not applied automatically: 100 is a guess and clients asking for more now get shorter pages). No fix for `ExclusiveStartKey` (sign or validate the cursor) or for a draining loop (return one page and the next cursor instead).',
      references: [
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html',
        'https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/',
        'https://cwe.mitre.org/data/definitions/770.html',
      ],
    },
  },
  messages: {
    limit: '`{{arg}}` of `{{method}}` comes from {{source}} with no upper bound: the caller decides how much is read per request. Clamp it (`min(int(x), MAX_PAGE)`).',
    startKey: '`{{arg}}` of `{{method}}` is taken from {{source}} unchecked: the caller chooses where the read starts, with any key. Sign or validate the cursor.',
    drain: '`{{method}}` runs in a loop that follows LastEvaluatedKey and returns every page: one request reads and returns the whole {{what}}. Return one page and a cursor instead.',
    drainAggregate: '`{{method}}` runs in a loop that follows LastEvaluatedKey: every request reads the whole {{what}} to compute the counts or sums it returns. Maintain the aggregate on write (or cache it) instead.',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.functions) {
      const isHandler = !!fnFacts.handler;
      for (const call of fnFacts.calls) {
        // Made inside a layer: reported there, at the DynamoDB call.
        if (call.via) continue;
        if (call.method !== 'query' && call.method !== 'scan') continue;
        if (isHandler) {
          const [limitName, startName] = call.api === 'pynamo' ? PAGING_ARGS.pynamo : PAGING_ARGS.boto;
          for (const name of [limitName!, startName!]) {
            const arg = call.kwargs.get(name);
            if (!arg) continue;
            const isLimit = name === limitName;
            const sources = unvalidatedSources(arg.value, call.validated, call.verified);
            if (!sources.length || (!isLimit && scopedStartKey(arg.value))) continue;
            context.report({
              messageId: isLimit ? 'limit' : 'startKey',
              data: { arg: name, method: call.method, source: sources[0]!.label },
              node: anchorOf(arg),
              related: sources.map((s) => ({ range: rangeOf(s.node), message: `Request input enters here: ${s.label}` })),
              ...(isLimit ? { fixes: () => { const f = clampFix(facts, fnFacts, arg, name); return f ? [f] : []; } } : {}),
            });
          }
        }
        const returned = drainsAllPages(facts, call) ? returnsAccumulated(fnFacts, call.id, call.method) : undefined;
        if (returned && (isHandler || calledFromHandler(facts, fnFacts.fn.name))) {
          context.report({
            messageId: returned === 'items' ? 'drain' : 'drainAggregate',
            data: { method: call.method, what: call.method === 'scan' ? 'table' : 'partition' },
            node: call.methodNode,
            related: [{ range: rangeOf(call.loop!), message: 'Every page is fetched in this loop' }],
          });
        }
      }
    }
  },
};

export default rule;
