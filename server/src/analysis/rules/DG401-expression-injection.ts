import type { FileFacts, FunctionFacts, TableCall } from '../model/facts';
import { textOf } from '../model/module';
import type { SyntaxNode } from '../parse/syntax';
import type { RuleModule } from './rule';
import { targets, type Target } from './support/expressionTargets';
import { listIndex } from './support/listIndex';
import { placeholderFix } from './support/placeholderFix';
import { literalParams } from './support/literalParams';
import { StringBuilds, type Build } from './support/stringBuild';

function check(facts: FileFacts, fnFacts: FunctionFacts, report: (call: TableCall, t: Target, bad: SyntaxNode, whole: boolean) => void): void {
  let builds: StringBuilds | undefined;
  let literal: Map<string, Build> | undefined;
  for (const call of fnFacts.calls) {
    // Made inside a layer: reported there, at the DynamoDB call.
    if (call.via) continue;
    for (const t of targets(facts, call)) {
      // Which attributes a request picks for a projection is DG405's finding, not an injection.
      // `checked`: every request part went through an allow-list, format check or numeric bound.
      if (t.value?.constant || (t.value?.checked && !t.value.payload) || (t.arg === 'ProjectionExpression' && (t.value?.request || t.value?.payload))) continue;
      builds ??= new StringBuilds(facts.text, fnFacts.fn, facts.globals);
      literal ??= literalParams(facts, fnFacts.fn);
      const b = builds.analyze(t.node, new Map(literal));
      if (b.konst) continue;
      if (b.built && !listIndex(facts, t.node, t.value, b.bad ?? t.node)) report(call, t, b.bad ?? t.node, false);
      // The whole expression straight from the request (not assembled here, not through a helper).
      else if ((t.value?.request || t.value?.payload) && builds.direct(t.node)) report(call, t, t.node, true);
    }
  }
}

const rule: RuleModule = {
  meta: {
    code: 'DG401',
    name: 'expression-injection',
    defaultSeverity: 'error',
    summary: 'A DynamoDB expression or PartiQL statement is assembled from non-constant text.',
    cwe: ['CWE-943'],
    owasp: ['API8:2023 Security Misconfiguration', 'A03:2021 Injection'],
    fixable: true,
    docs: {
      whatItDoes: 'Flags `KeyConditionExpression`, `FilterExpression`, `ConditionExpression`, `UpdateExpression`, `ProjectionExpression` (any `*Expression` argument, also inside `TransactItems`) and PartiQL `Statement`s (`execute_statement`, `batch_execute_statement`, `execute_transaction`) whose string is assembled with an f-string, `%`, `.format()`, `+` or `.join()` from a value that is not a constant, and expressions taken whole from request input (a `ProjectionExpression` chosen by the request is reported by DG405 instead). Strings built only from constants or from request input the analyzer saw validated (allow-list membership, a format check such as a regex/UUID/Enum, a numeric bound) are fine: literals, UPPER_CASE module constants, loop variables over a constant collection, names checked against an allow-list first (`if k in ALLOWED:`, `if k not in ALLOWED: continue`, `... for k in body if k in ALLOWED`), and lists/variables whose every write is one of those. The finding points at the non-constant part: the `{interpolation}`, the `+` operand, the `.format()`/`.join()` argument (where a variable is assembled earlier in the function, at that assembly). Values that arrive in another way (a function parameter used as is) are not assembled here and are not flagged; neither is text formatted from a helper parameter that every call in the file passes as a literal (`_set(order_id, "shipped_at")`), unless the helper is used in another way. f-strings, `%` and `.format()` are judged alike; a number used as a list index (`items[{i}]`) is not injection.',
      whyIsThisBad: 'Whoever controls the interpolated text controls the expression: `f"SET {field} = :v"` with `field = "is_admin = :v, credits"` writes attributes the code never meant to expose; a key condition or filter built from input can widen a query to other items; an interpolated PartiQL statement is classic injection (`\' OR 1=1`). DynamoDB has placeholders for exactly this: `:values` in `ExpressionAttributeValues`, `#names` in `ExpressionAttributeNames`, `?` with `Parameters` in PartiQL.',
      example: 'resp = table.query(\n    KeyConditionExpression=f"user_id = \'{user_id}\'",\n)\nclient.execute_statement(Statement=f"SELECT * FROM users WHERE id = \'{uid}\'")',
      useInstead: 'resp = table.query(\n    KeyConditionExpression="user_id = :user_id",\n    ExpressionAttributeValues={":user_id": user_id},\n)\nclient.execute_statement(Statement="SELECT * FROM users WHERE id = ?", Parameters=[{"S": uid}])',
      fixSafety: 'Offered only for an f-string written directly in the call whose non-constant interpolations all stand where a value goes (after `=`, `<>`, `<`, `>`, ` + `, ` - `, `BETWEEN`, `BETWEEN x AND`, or as the second argument of `begins_with`/`contains`/`list_append`/`if_not_exists`): each becomes a `:placeholder` added to (merged into) `ExpressionAttributeValues`; in PartiQL a `?` with the value appended to a new `Parameters` list (`{"S": x}`, or `{"N": str(x)}` for an unquoted value). A quoted interpolation (`\'{uid}\'`) is a string for certain: that fix is safe. An unquoted one may have been a number (fine) or a placeholder/path computed on purpose: that fix is offered but not applied by fix-all, and not at all for the low-level client, whose values need a type. An interpolated attribute name, clause or table name gets no fix: `#name` placeholders filled from the same input would still let the caller choose the attribute; validate it against an allow-list (DG405). Expressions built with `%`, `.format()`, `+` or `.join()` are not rewritten.',
      references: ['https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html', 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html', 'https://cwe.mitre.org/data/definitions/943.html'],
    },
  },
  messages: {
    built: '`{{arg}}` is assembled from non-constant text (`{{part}}`): whoever controls it rewrites the {{what}}. Use {{instead}}.',
    whole: '`{{arg}}` comes from request input: the caller writes the {{what}}. Build it from constants and pass values as {{instead}}.',
  },
  check(context) {
    const { facts } = context;
    const seen = new Set<number>();
    for (const fnFacts of facts.functions) {
      check(facts, fnFacts, (call, t, bad, whole) => {
        if (seen.has(bad.start)) return;
        seen.add(bad.start);
        const partiql = t.arg === 'Statement';
        const part = textOf(facts.text, bad).replace(/\s+/g, ' ');
        context.report({
          messageId: whole ? 'whole' : 'built',
          data: {
            arg: t.arg,
            part: part.length > 50 ? part.slice(0, 47) + '...' : part,
            what: partiql ? 'statement' : 'expression',
            instead: partiql ? '`?` and `Parameters`' : '`:placeholders` in ExpressionAttributeValues',
          },
          node: bad,
          fixes: () => {
            if (whole || t.node.type !== 'string' || !call.kwargs.has(t.arg)) return [];
            const f = placeholderFix(facts, fnFacts, call, t.node, partiql);
            return f ? [f] : [];
          },
        });
      });
    }
  },
};

export default rule;
