import { ownedItems } from '../../facts/ownership';
import type { FileFacts, FunctionFacts } from '../../model/facts';
import { textOf } from '../../model/module';
import type { SyntaxNode } from '../../parse/syntax';

// DG102 for handlers that take no request input: what anyone gets from them without a caller.

const ADMIN_ROUTE = /(^|[/_.-])admin([/_.-]|$)/i;
const MAYBE_AUTH = /^(Depends|Security)\(.*(user|auth|token|principal|identity|current|session|claims)/is;
const MANY = new Set(['scan', 'query', 'batch_get_item', 'execute_statement']);

/**
 * Why a handler that uses no request input still needs a caller: an admin route (anyone may call
 * it), or a read across owners (a scan/query of owned items) whose result is returned.
 */
export function exposure(facts: FileFacts, fnFacts: FunctionFacts): { what: string; node: SyntaxNode } | undefined {
  const h = fnFacts.handler!;
  if (h.framework === 'lambda' || !fnFacts.calls.length) return undefined;
  // A dependency we do not know may well authenticate (`Depends(users.current_user(active=True))`):
  // without request input there is no finding worth a guess.
  if (fnFacts.fn.params.some((p) => p.default && MAYBE_AUTH.test(textOf(facts.text, p.default)))) return undefined;
  if (ADMIN_ROUTE.test(h.path ?? '') || /^admin_/.test(fnFacts.fn.name)) {
    return { what: `serves the admin route \`${h.path ?? fnFacts.fn.name}\` to anyone`, node: h.route ?? fnFacts.fn.nameNode };
  }
  const returned = new Set(fnFacts.returns.flatMap((r) => [...(r.value.dbWhole?.keys() ?? []), ...(r.value.dbFrom ?? [])]));
  for (const c of fnFacts.calls) {
    if (!c.isRead || !MANY.has(c.method) || !returned.has(c.id)) continue;
    const owned = ownedItems(facts, c);
    if (owned) return { what: `returns the items of every owner from \`${c.method}\` to anyone (${owned.message.replace(/^./, (x) => x.toLowerCase())})`, node: c.methodNode };
  }
  return undefined;
}
