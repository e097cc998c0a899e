import { guardFix, ownerConditionFix } from '../../fixes/ownerBinding';
import { ownerCheckFix } from '../../fixes/ownerCheck';
import { bearerCapability } from '../../facts/capability';
import { contributionOnly } from '../../facts/contribution';
import { ownedItems, ownershipRelated } from '../../facts/ownership';
import { callerScopedCredentials } from '../../facts/principal';
import type { FunctionFacts, TableCall } from '../../model/facts';
import { rangeOf } from '../../parse/syntax';
import type { Fix, RelatedLocation } from '../../types';
import type { RuleContext } from '../rule';
import type { unscopedSources } from './unscopedKey';

// DG101's judgement of one call whose key comes from the request (`unscopedSources`): the
// exemptions that make such a key harmless, the ownership evidence a read needs, and the report
// with its related information and fixes.

type Hit = NonNullable<ReturnType<typeof unscopedSources>>;

export function reportUnscoped(context: RuleContext, fnFacts: FunctionFacts, call: TableCall, hit: Hit, admin: boolean): void {
  const { facts } = context;
  if (bearerCapability(facts, hit.sources)) return;
  // Counting a vote or appending the caller's own comment to a shared item is the feature;
  // a table reached with the caller's own scoped credentials refuses other tenants' keys.
  if (contributionOnly(facts, call) || callerScopedCredentials(facts, call)) return;
  // A read needs evidence that the items belong to someone; a write stays BOLA unless admin-only.
  const owned = ownedItems(facts, call);
  if (call.isWrite ? admin : !owned) return;
  const related: RelatedLocation[] = hit.sources.map((s) => ({ range: rangeOf(s.node), message: `Request input enters here: ${s.label}` }));
  if (owned) related.push(ownershipRelated(owned));
  for (const p of fnFacts.handler!.subjectParams) related.push({ range: rangeOf(p.node), message: `The handler's subject \`${p.name}\` is available but not compared with the key` });
  const fixes = () => [ownerCheckFix(facts, fnFacts, call, hit.part), guardFix(facts, fnFacts, call, hit.part, hit.sources), ownerConditionFix(facts, fnFacts, call, hit.part)].filter((f): f is Fix => !!f);
  context.report({
    messageId: 'unscoped',
    data: {
      method: call.method,
      source: hit.sources[0]!.label,
      verb: call.isWrite ? (call.method === 'delete_item' || call.method === 'delete' ? 'delete' : 'overwrite') : 'read',
      evidence: owned?.remote ? ` ${owned.message}.` : '',
    },
    node: call.methodNode,
    related,
    fixes,
  });
}
