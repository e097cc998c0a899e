import { AUTHENTICATED, type FunctionFacts, type TableCall } from '../../model/facts';
import { ownedItems } from '../../facts/ownership';
import type { FileFacts } from '../../model/facts';

// DG102's question: which table calls of a handler run for a caller nobody identified.

export function usesRequestInput(fnFacts: FunctionFacts): boolean {
  return fnFacts.calls.some(callUsesRequest);
}

/** Does the handler establish who the caller is before every call that matters? */
export function hasSubject(fnFacts: FunctionFacts): boolean {
  const h = fnFacts.handler!;
  if (h.authenticatedBy || h.subjectParams.length > 0 || fnFacts.guardCalls.length > 0) return true;
  // Reading the identity (`g.user`, `current_user`, claims) counts anywhere in the body; an auth
  // check call (`auth_is_valid(event)`, `get_jwt_identity()`) and a session (`session["user_id"]`,
  // `"user_id" not in session`) count for the calls they dominate, not for a branch that runs
  // before them.
  if (fnFacts.subjectReads.some((s) => s.node.type !== 'call' && !s.scope)) return true;
  const checked = fnFacts.subjectReads.length > 0 || fnFacts.calls.some((c) => c.verified.has(AUTHENTICATED));
  // Without request input every call is what the handler exposes.
  const relevant = usesRequestInput(fnFacts) ? callUsesRequest : () => true;
  return checked && fnFacts.calls.every((c) => c.verified.has(AUTHENTICATED) || c.postChecked || !relevant(c));
}

export function callUsesRequest(c: TableCall): boolean {
  // A `FilterExpression=Attr("user").eq(body["user"])` lets the client choose the items as much as a key does.
  return c.keys.some((k) => k.value.request?.length) ||
    [...c.kwargs.values()].some((k) => k.value.request?.length || k.value.payload || k.value.cond?.some((t) => t.value.request?.length)) ||
    c.args.some((a) => a.value.request?.length);
}

/**
 * The calls to report: all request-driven ones, or, in a handler that signs the caller in on some
 * paths, those outside the check. Undefined when only lookups of shared items stay open: a poll
 * anyone may view, whose vote needs a login, serves them to anonymous callers on purpose.
 */
/** A view of one item; a scan or query before the check (a dump branch) stays reported. */
const SINGLE_READ = new Set(['get_item', 'get']);

export function openCalls(facts: FileFacts, fnFacts: FunctionFacts): TableCall[] | undefined {
  if (!fnFacts.calls.some((c) => c.verified.has(AUTHENTICATED))) return fnFacts.calls.filter(callUsesRequest);
  const open = fnFacts.calls.filter((c) => callUsesRequest(c) && !c.verified.has(AUTHENTICATED) && !c.postChecked);
  return open.every((c) => SINGLE_READ.has(c.method) && !c.isWrite && !ownedItems(facts, c)) ? undefined : open;
}
