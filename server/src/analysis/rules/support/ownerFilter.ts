import { callerScopedCredentials } from '../../facts/principal';
import { isOwnerAttribute } from '../../facts/ownership';
import { bearerCapability } from '../../facts/capability';
import type { FunctionFacts, TableCall } from '../../model/facts';
import { expressionTerms, subjectTerms } from '../../model/tableCalls';
import { matchesAny } from '../../model/names';
import type { Source, Value } from '../../model/values';
import { rangeOf, type SyntaxNode } from '../../parse/syntax';
import type { RelatedLocation } from '../../types';
import type { RuleContext } from '../rule';

// DG101 on a read whose filter takes the owner from the request: `scan(FilterExpression=
// Attr("user").eq(body["user"]))`, or `"owner_id = :u"` with `:u` bound to a request value. The
// request chooses whose items come back; the key is not involved, so `unscopedSources` never sees
// it. The filter naming an owner attribute is itself the evidence that the items are owned.

export interface OwnerFilter {
  attr: string;
  node: SyntaxNode;
  sources: Source[];
}

/** Some of the read's items reach the handler's response (whole, in a list, or fields of them). */
function returned(fnFacts: FunctionFacts, call: TableCall): boolean {
  const has = (v: Value | undefined) => !!v && (v.dbWhole?.has(call.id) || !!v.dbFrom?.includes(call.id));
  return fnFacts.returns.some((r) => has(r.value) || has(r.value.elem) || has(r.value.elem?.elem));
}

/** The owner attribute a read's filter compares with unchecked request input, if any. */
export function requestOwnerFilter(context: RuleContext, fnFacts: FunctionFacts, call: TableCall): OwnerFilter | undefined {
  const { facts } = context;
  if (call.isWrite || (call.method !== 'scan' && call.method !== 'query')) return undefined;
  // Items only looked up to act on them (a key for a later write) are that write's finding.
  if (!returned(fnFacts, call)) return undefined;
  // Also bound to the caller (a key, a condition, a filter term, a check of the items afterwards).
  if (call.conditionBindsSubject || call.postChecked || call.subjectFilter) return undefined;
  if (call.keys.some((k) => k.value.subject?.length) || subjectTerms(call, 'FilterExpression').length) return undefined;
  const unchecked = (v: { request?: Source[] }) => (v.request ?? []).filter((s) => !call.verified.has(s.id));
  const terms = expressionTerms(call, 'FilterExpression', (v) => unchecked(v).length > 0 && !v.fresh);
  // Matching a secret the caller submits (`user = :u AND token = :t`) is a credential check.
  if (terms.some((t) => matchesAny(t.attr, facts.settings.sensitiveAttributes))) return undefined;
  for (const t of terms) {
    if (!isOwnerAttribute(facts, t.attr)) continue;
    const sources = unchecked(t.value);
    if (bearerCapability(facts, sources) || callerScopedCredentials(facts, call)) continue;
    return { attr: t.attr, node: t.node, sources };
  }
  return undefined;
}

export function reportOwnerFilter(context: RuleContext, fnFacts: FunctionFacts, call: TableCall): void {
  const hit = requestOwnerFilter(context, fnFacts, call);
  if (!hit) return;
  const related: RelatedLocation[] = [
    { range: rangeOf(hit.node), message: `The filter selects the items whose \`${hit.attr}\` the request names` },
    ...hit.sources.map((s) => ({ range: rangeOf(s.node), message: `Request input enters here: ${s.label}` })),
  ];
  for (const p of fnFacts.handler?.subjectParams ?? []) related.push({ range: rangeOf(p.node), message: `The handler's subject \`${p.name}\` is available but not used as the owner` });
  context.report({
    messageId: 'ownerFilter',
    data: { method: call.method, attr: hit.attr, source: hit.sources[0]!.label },
    node: call.methodNode,
    related,
  });
}
