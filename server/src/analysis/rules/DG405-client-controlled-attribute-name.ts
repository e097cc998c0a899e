import { textOf } from '../model/module';
import type { Source } from '../model/values';
import { field, rangeOf, visit } from '../parse/syntax';
import type { RuleModule } from './rule';
import { allowListFix, clientChosen, whatOf } from './support/clientChosen';
import { candidates } from './support/nameArguments';
import { requestLabel, statementOf } from './support/tableNameArg';

const rule: RuleModule = {
  meta: {
    code: 'DG405',
    name: 'client-controlled-attribute-name',
    defaultSeverity: 'error',
    summary: 'The client chooses which attributes, index or table a DynamoDB request reads or writes.',
    cwe: ['CWE-639', 'CWE-915', 'CWE-20'],
    owasp: ['API3:2023 Broken Object Property Level Authorization', 'API1:2023 Broken Object Level Authorization'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags table calls in HTTP handlers whose `ExpressionAttributeNames` values, `ProjectionExpression`, `AttributesToGet`/`attributes_to_get`, `IndexName` or `TableName` come from request input, whose condition names an attribute taken from request input (`Attr(body["field"]).eq(...)` in a `FilterExpression`/`KeyConditionExpression`/`ConditionExpression`, a key of the legacy `ScanFilter`/`QueryFilter`/`KeyConditions`/`Expected` maps), and `dynamodb.Table(<name>)` built from a request parameter or a request read (judged from the text, as the Table object keeps no taint). Bounded values are not reported: a comprehension filtered through an allow-list, a constant lookup (`INDEXES[sort]`), a FastAPI parameter typed `Literal[...]` or with an `Enum`, and a value checked before use by `if x not in ALLOWED: raise/abort/return` (also `==`/`!=`, subset tests, `any(f not in ALLOWED ...)`, an enclosing `if x in ALLOWED:`, or a call to a `validate_*`/`check_*`/`ensure_*` helper with it). Presence checks (`if "field" in body`) do not count. Known gap: the model also treats a format check (`re.fullmatch(r"[a-z_]+", field)`) as validation, although it still lets the caller pick `password_hash`. Anchored on the method name, one finding per argument. Module-level code and class bodies (scripts, notebook cells) hold no request input: nothing is reported there.',
      whyIsThisBad: 'Attribute names, projections and indexes are the request\'s shape; whoever picks them reads what the code never meant to return (`?fields=password_hash`), sorts or filters on private attributes to infer them, queries an index keyed by another owner\'s attribute, or addresses another tenant\'s table. Placeholders (`#name`) stop syntax injection, not this.',
      example: '@app.get("/orders")\ndef list_orders(sort: str, user=Depends(get_current_user)):\n    return orders.query(IndexName=sort, KeyConditionExpression=Key("customer_id").eq(user.id))["Items"]',
      useInstead: 'ALLOWED_INDEXES = {"by-date", "by-total"}\n...\n    if sort not in ALLOWED_INDEXES:\n        raise HTTPException(status_code=400, detail="Invalid index")',
      fixSafety: 'Inserts `if <value> not in ALLOWED_<X>:` (a subset test for lists and comma-separated projections) before the statement with the framework\'s 400 (FastAPI `HTTPException`, Flask `abort(400)`, Chalice `BadRequestError`, Lambda a 400 response), reusing an existing `ALLOWED_INDEXES`/`ALLOWED_TABLES`/`ALLOWED_ATTRIBUTES` constant or adding one at module level. Index names come from the file\'s `create_table`/`IndexName` constants (safe, applied by fix-all; trim the set to the indexes clients may choose); attribute names from `public-fields` when configured (safe). Otherwise the constant is a TODO (an empty set, or the file\'s table names for tables) and the fix is offered but not applied automatically: until it is filled in the endpoint rejects every request.',
      references: ['https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/', 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html', 'https://cheatsheetseries.owasp.org/cheatsheets/Input_Validation_Cheat_Sheet.html'],
    },
  },
  messages: {
    argument: '`{{arg}}` of `{{method}}` comes from {{source}}: the caller chooses which {{what}} the request uses; check it against an allow-list first.',
    table: 'The table name comes from {{source}}: the caller chooses which table this handler reads or writes; check it against an allow-list first.',
  },
  check(context) {
    const { facts } = context;
    for (const fnFacts of facts.handlers) {
      for (const call of fnFacts.calls) {
        // Made inside a layer: reported there, at the DynamoDB call.
        if (call.via) continue;
        for (const hit of candidates(call.kwargs)) {
          const src: Source | undefined = clientChosen(facts, fnFacts, hit.value, hit.node, call.statement, [call.validated, call.verified]);
          if (!src) continue;
          context.report({
            messageId: 'argument',
            data: { arg: hit.arg, method: call.method, source: src.label, what: `${whatOf(hit.kind)} name` },
            node: call.methodNode,
            related: [{ range: rangeOf(hit.node), message: `${hit.arg} is set here` }, { range: rangeOf(src.node), message: `From ${src.label}` }],
            fixes: () => { const f = allowListFix(facts, fnFacts, hit.kind, hit.node, call.statement); return f ? [f] : []; },
          });
        }
      }
      if (!textOf(facts.text, fnFacts.fn.body).includes('.Table(')) continue;
      visit(fnFacts.fn.body, (n) => {
        if (n.type === 'function_definition' || n.type === 'class_definition') return false;
        const fn = n.type === 'call' ? field(n, 'function') : undefined;
        if (fn?.type !== 'attribute' || textOf(facts.text, field(fn, 'attribute')!) !== 'Table') return undefined;
        const arg = field(n, 'arguments')?.children.find((c) => c.named);
        if (!arg || arg.type === 'keyword_argument' && textOf(facts.text, field(arg, 'name')!) !== 'name') return undefined;
        const value = arg.type === 'keyword_argument' ? field(arg, 'value')! : arg;
        if (value.type === 'string' && !value.children.some((c) => c.type === 'interpolation')) return undefined;
        const from = requestLabel(facts, fnFacts, value);
        const stmt = statementOf(n);
        // Checks the model saw before the table is used (`if tenant not in TENANTS: abort(400)`) count too.
        const covered = fnFacts.calls.filter((c) => c.node.start > n.start).flatMap((c) => [c.validated, c.verified]);
        const id = from?.param ? `param:${from.param}` : `text:${value.start}`;
        const src = from && clientChosen(facts, fnFacts, { request: [{ id, label: from.label, node: value }] }, value, stmt, covered);
        if (!src) return undefined;
        context.report({
          messageId: 'table', data: { source: from.label }, node: field(fn, 'attribute')!,
          fixes: () => { const f = allowListFix(facts, fnFacts, 'TableName', value, stmt); return f ? [f] : []; },
        });
        return undefined;
      });
    }
  },
};

export default rule;
