import type { FileFacts, TableCall } from '../../model/facts';
import { textOf } from '../../model/module';
import type { Value } from '../../model/values';
import { field, visit, type SyntaxNode } from '../../parse/syntax';

// DG401's targets: the expression and PartiQL statement strings of a call, also nested in
// transactions and batches, and assigned into a `**params` dict.

const PARTIQL = new Set(['execute_statement', 'batch_execute_statement', 'execute_transaction']);
/** Arguments that nest expressions in lists of dicts: transactions, PartiQL batches, batch_get projections. */
const NESTED = new Set(['TransactItems', 'Statements', 'TransactStatements', 'RequestItems']);
const EXPRESSION_KEY = /^["'](\w*Expression|Statement)["']$/;

export interface Target { arg: string; node: SyntaxNode; value?: Value }

export function targets(facts: FileFacts, call: TableCall): Target[] {
  const out: Target[] = [];
  for (const [arg, kw] of call.kwargs) {
    if (/Expression$/.test(arg) || (arg === 'Statement' && PARTIQL.has(call.method))) {
      if (!kw.value.cond && !kw.value.obj) out.push({ arg, node: valueNode(kw.node), value: kw.value });
    } else if (NESTED.has(arg)) {
      visit(kw.node, (n) => {
        const key = n.type === 'pair' ? field(n, 'key')! : undefined;
        if (key && EXPRESSION_KEY.test(textOf(facts.text, key))) out.push({ arg: textOf(facts.text, key).slice(1, -1), node: field(n, 'value')! });
        return true;
      });
    }
  }
  return out;
}

/** `params["FilterExpression"] = f"..."` then `scan(**params)`: the model points at the key, the value is on the right. */
function valueNode(node: SyntaxNode): SyntaxNode {
  const sub = node.parent;
  const assign = sub?.type === 'subscript' && node.field === 'subscript' ? sub.parent : undefined;
  return assign?.type === 'assignment' && field(assign, 'left') === sub ? field(assign, 'right') ?? node : node;
}
