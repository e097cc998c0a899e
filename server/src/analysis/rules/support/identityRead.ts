import type { FileFacts, FunctionFacts } from '../../model/facts';
import { textOf } from '../../model/module';
import { field, visit, type SyntaxNode } from '../../parse/syntax';

// DG106's evidence: reads of request fields named like an identity or a privilege. Syntactic on
// purpose: the name of the field the client sends is the evidence.

/** Field names that say who the caller is or what they may do (normalised: lower case, `-` as `_`). */
const IDENTITY = /^(x_)?(user|username|user_?name|user_?id|userid|login|email|e_?mail|owner|owner_?id|tenant|tenant_?id|account_?id|role|roles|user_?role|auth_?level|authlevel|access_?level|is_?admin|admin|scopes?|groups?|permissions?|identity|principal|caller(_?id)?)$/;

/** Containers of request input a field is read from (`request.headers`, `body`, `event["headers"]`). */
const REQUEST_CONTAINER = /(^|\.)(headers|json|json_body|args|form|values|query_params|cookies|body|payload|data|params|query|qs|query_string)$|^event\[\s*["'](headers|queryStringParameters|multiValueHeaders|body)["']\s*\]$|get_json\(\)$/;

/** Path parameters choose an object (DG101's business); these choose who the caller is. */
export function identityRead(text: string, n: SyntaxNode): boolean {
  let base: SyntaxNode | undefined;
  let key: SyntaxNode | undefined;
  if (n.type === 'subscript') {
    base = field(n, 'value');
    key = field(n, 'subscript');
  } else if (n.type === 'call') {
    const fn = field(n, 'function');
    if (fn?.type !== 'attribute' || textOf(text, field(fn, 'attribute')!) !== 'get') return false;
    base = field(fn, 'object');
    key = field(n, 'arguments')?.children.find((c) => c.named);
  }
  if (!base || key?.type !== 'string') return false;
  const name = textOf(text, key).replace(/^[rbuf]*["']|["']$/gi, '').toLowerCase().replace(/-/g, '_');
  return IDENTITY.test(name) && REQUEST_CONTAINER.test(textOf(text, base).replace(/\s+/g, ''));
}

/** Reads of identity fields in an expression (not inside nested functions). */
export function readsIn(text: string, root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  visit(root, (n) => {
    if (n.type === 'lambda' || n.type === 'function_definition') return false;
    if (identityRead(text, n)) {
      out.push(n);
      return false;
    }
    return true;
  });
  return out;
}

/** FastAPI `x_user_id: str = Header(...)` parameters: identity from a header. */
export function headerParams(facts: FileFacts, fnFacts: FunctionFacts): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (const p of fnFacts.fn.params) {
    const decl = `${p.annotation ? textOf(facts.text, p.annotation) : ''} ${p.default ? textOf(facts.text, p.default) : ''}`;
    if (/\bHeader\(/.test(decl) && IDENTITY.test(p.name.toLowerCase())) out.set(p.name, p.nameNode);
  }
  return out;
}
