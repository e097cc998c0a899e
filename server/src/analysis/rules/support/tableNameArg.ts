import type { FileFacts, FunctionFacts } from '../../model/facts';
import { textOf } from '../../model/module';
import type { SyntaxNode } from '../../parse/syntax';

// DG405's reading of `dynamodb.Table(<name>)` inside a handler, from the text of its argument.

/** The statement that holds `node` (where a check can be inserted before it). */
export function statementOf(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n;
}

const REQUEST_TEXT = /\brequest\.(args|form|values|json|view_args|headers|cookies|get_json\(\))|\bcurrent_request\.(uri_params|query_params|json_body|headers)|\[\s*["'](pathParameters|queryStringParameters|multiValueQueryStringParameters|headers|body)["']\s*\]/;

/**
 * `dynamodb.Table(<name>)` is not a table call, and the model keeps no taint on the Table object,
 * so its argument is judged from the text: a request parameter, a request read, or a local assigned
 * from one of those.
 */
export function requestLabel(facts: FileFacts, fnFacts: FunctionFacts, arg: SyntaxNode): { label: string; param?: string } | undefined {
  const h = fnFacts.handler!;
  const params = h.framework === 'lambda' ? [] : fnFacts.fn.params.filter((p) =>
    !['self', 'cls'].includes(p.name) && !h.subjectParams.includes(p) &&
    !(p.default && /^(fastapi\.)?(Depends|Security)\(/.test(textOf(facts.text, p.default))) &&
    !(p.annotation && /^(Request|Response|BackgroundTasks|WebSocket)$/.test(textOf(facts.text, p.annotation))));
  const body = textOf(facts.text, fnFacts.fn.body);
  const judge = (text: string, depth: number): { label: string; param?: string } | undefined => {
    if (REQUEST_TEXT.test(text)) return { label: 'request input' };
    for (const p of params) if (new RegExp(`(?<![\\w.])${p.name}(?!\\w)`).test(text)) return { label: `parameter \`${p.name}\``, param: p.name };
    if (depth > 0) return undefined;
    for (const name of text.match(/(?<![\w."'])[a-z_]\w*(?!\w|\s*\()/g) ?? []) {
      const m = new RegExp(`^[ \\t]*${name}\\s*=(?!=)(.+)$`, 'm').exec(body);
      const label = m ? judge(m[1]!, depth + 1) : undefined;
      if (label) return label;
    }
    return undefined;
  };
  return judge(textOf(facts.text, arg), 0);
}
