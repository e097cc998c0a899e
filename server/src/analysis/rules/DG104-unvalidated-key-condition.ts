import { allowListFix, isCheckable, type AllowListCheck } from '../fixes/allowList';
import type { FileFacts, FunctionFacts, KeyPart, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import { unvalidatedSources, type Source } from '../model/values';
import { field, rangeOf, type SyntaxNode } from '../parse/syntax';
import type { Fix, RelatedLocation } from '../types';
import type { RuleModule } from './rule';

const ID_LIKE = /(^|_)(id|uuid|guid|key)$|[a-z]Id$/i;

interface Hit {
  part: KeyPart & { attr: string };
  sources: Source[];
}

/** Key parts of a query the caller picks freely: sort keys, and every key of an index query. */
function unvalidatedParts(call: TableCall): Hit[] {
  if (call.method !== 'query' || call.api === 'pynamo') return [];
  const indexed = call.kwargs.has('IndexName');
  const hits: Hit[] = [];
  for (const part of call.keys) {
    // The table's partition key is DG101's business (whose items); the attribute must be known.
    if ((!indexed && part.partition) || !part.attr || part.value.fresh) continue;
    // Equality on an identifier picks one item, it does not enumerate a category (whose item: DG101).
    if (part.op === 'eq' && ID_LIKE.test(part.attr)) continue;
    const sources = unvalidatedSources(part.value, call.validated, call.verified);
    if (sources.length) hits.push({ part: part as Hit['part'], sources });
  }
  return hits;
}

/** The expression to check: the builder's argument (`Key("sk").eq(x)`), the `:value` entry, unwrapped `{"S": x}`. */
function valueNode(part: KeyPart): SyntaxNode {
  let n = part.node;
  if (n.type === 'call') n = field(n, 'arguments')?.children.find((c) => c.named) ?? n;
  if (n.type === 'dictionary') {
    const pairs = n.children.filter((c) => c.type === 'pair');
    if (pairs.length === 1) n = field(pairs[0]!, 'value') ?? n;
  }
  return n;
}

function checkFor(facts: FileFacts, hit: Hit): AllowListCheck | undefined {
  const src = hit.sources.length === 1 ? hit.sources[0]! : undefined;
  const n = valueNode(hit.part);
  if (isCheckable(n, facts)) {
    const expr = textOf(facts.text, n);
    return { expr, name: n.type === 'identifier' ? expr : hit.part.attr };
  }
  // `Key("sk").begins_with(f"ORDER#{status}")`: check the parameter itself.
  if (src?.id.startsWith('param:')) {
    const name = src.id.slice('param:'.length);
    return { expr: name, name };
  }
  return undefined;
}

function fix(facts: FileFacts, fnFacts: FunctionFacts, call: TableCall, hits: Hit[]): Fix | undefined {
  // An allow-list suits categories (`eq`, `begins_with`), not ranges of dates or numbers.
  if (hits.some((h) => h.part.op !== 'eq' && h.part.op !== 'begins_with')) return undefined;
  const checks = hits.map((h) => checkFor(facts, h));
  if (checks.some((c) => !c)) return undefined;
  return allowListFix(facts, fnFacts, call.statement, checks as AllowListCheck[]);
}

const rule: RuleModule = {
  meta: {
    code: 'DG104',
    name: 'unvalidated-key-condition',
    defaultSeverity: 'warning',
    summary: 'A query\'s sort-key or index-key value comes from the request with no allow-list or format check, so a caller can enumerate items across statuses, categories or prefixes.',
    cwe: ['CWE-20', 'CWE-639'],
    owasp: ['API1:2023 Broken Object Level Authorization'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags a `query` in an HTTP handler whose sort-key condition value (`Key("sk").eq(x)`, `begins_with(sk, :p)`, `BETWEEN`, the `:value` of a string `KeyConditionExpression`), or any key value of a query on an index (`IndexName=`), is request input that was never validated.\n\nValidation that counts: a FastAPI parameter typed `Literal[...]`, with an Enum of the file, `UUID`/`date`, or declared `Query(pattern=...)`/`regex=`; a Flask `<uuid:x>`/`<any(a, b):x>` converter; a Pydantic body field typed that way; `if x not in ALLOWED: <leave>` (raise, abort, return: any status, or `continue`) and its positive form; `if not re.fullmatch(..., x)`, `if not PATTERN.match(x)`, `if not is_valid_x(x)`; `assert x in ...`; `Status(x)`/`Status[x]` of an Enum; a value looked up in a constant mapping (`STATUS[x]`); `x if x in ALLOWED else DEFAULT`. The allow-list must be a literal, an UPPER_CASE module constant or an Enum of the file. The table\'s own partition key is left to DG101 (whose items are read), and so is an equality on an identifier (`*_id`, `id`, `uuid`, `*_key`): it picks one item rather than enumerating a category. PynamoDB range-key conditions and index queries are not modelled yet.',
      whyIsThisBad: 'The partition key decides whose items a query reads, the sort key (or an index key) decides which of them. When the caller picks it freely, they can walk statuses, categories or key prefixes the endpoint was never meant to expose: `?status=DELETED`, `?prefix=INVOICE#`, an index of every customer by email. Input that looks like an enum in the API documentation is only an enum when the code checks it.',
      example: '@app.get("/orders")\ndef list_orders(status: str, user=Depends(get_current_user)):\n    return orders.query(\n        KeyConditionExpression=Key("customer_id").eq(user.id) & Key("status").eq(status),\n    )["Items"]',
      useInstead: 'class OrderStatus(str, Enum):\n    OPEN = "OPEN"\n    SHIPPED = "SHIPPED"\n\n@app.get("/orders")\ndef list_orders(status: OrderStatus, user=Depends(get_current_user)):\n    ...Key("status").eq(status.value)...',
      fixSafety: 'The fix inserts `if <value> not in ALLOWED_<NAME>: <400>` before the statement (FastAPI `HTTPException(status_code=400)`, Flask `abort(400)`, Chalice `BadRequestError`, Lambda a 400 response) and a module-level `ALLOWED_<NAME>`. When the file has an Enum or a `Literal` alias whose name matches the value (`status` ~ `OrderStatus`), the set is built from it and the fix is safe. Otherwise the set is empty with a TODO and the fix is not applied automatically: it would reject every request until the accepted values are listed. No fix is offered for range conditions (`BETWEEN`, `<`, `>`: validate the format instead) or when the value is not a plain variable: write the check by hand.',
      references: [
        'https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/',
        'https://cwe.mitre.org/data/definitions/20.html',
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html',
      ],
    },
  },
  messages: {
    unvalidated: '`query` {{where}}: `{{attr}}` comes from {{source}} with no allow-list or format check, so a caller can enumerate items across every value of `{{attr}}`.',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.handlers) {
      for (const call of fnFacts.calls) {
        const hits = unvalidatedParts(call);
        if (!hits.length) continue;
        const index = call.kwargs.get('IndexName')?.value.str;
        const related: RelatedLocation[] = [];
        for (const h of hits) {
          related.push({ range: rangeOf(h.part.node), message: `Key condition on \`${h.part.attr}\`` });
          for (const s of h.sources) related.push({ range: rangeOf(s.node), message: `Request input enters here: ${s.label}` });
        }
        const first = hits[0]!;
        context.report({
          messageId: 'unvalidated',
          data: {
            where: call.kwargs.has('IndexName') ? `on index ${index ? `\`${index}\`` : '(dynamic)'}` : 'sort key',
            attr: first.part.attr,
            source: first.sources[0]!.label,
          },
          node: call.methodNode,
          related,
          fixes: () => { const f = fix(facts, fnFacts, call, hits); return f ? [f] : []; },
        });
      }
    }
  },
};

export default rule;
