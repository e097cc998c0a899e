// The infrastructure lookup the analyzer's rules consult for one Python file: the model of the
// service the file belongs to, the deployed functions each Python function runs in, and the table
// each call works on. Computed once per FileFacts.

import type { FileFacts, TableCall } from '../model/facts';
import type { FunctionInfo } from '../model/module';
import { reachableCalls, servedFunctions, tableOfCall } from './binding';
import { infraFor } from './discover';
import type { InfraFunction, InfraModel, InfraTable } from './model';

export interface InfraLookup {
  model: InfraModel;
  /** Deployed functions whose handler is this Python function (directly). */
  servedBy(fn: FunctionInfo): InfraFunction[];
  /** Deployed functions that run this call (their handler reaches it in this file). */
  functionsOf(call: TableCall): InfraFunction[];
  tableOf(call: TableCall): InfraTable | undefined;
}

const cache = new WeakMap<FileFacts, InfraLookup | null>();

/** The lookup for this file, or undefined when the file has no infrastructure code near it. */
export function infraLookup(facts: FileFacts): InfraLookup | undefined {
  const hit = cache.get(facts);
  if (hit !== undefined) return hit ?? undefined;
  let model: InfraModel | undefined;
  try {
    model = infraFor(facts.path);
  } catch {
    model = undefined;
  }
  if (!model || (model.tables.length === 0 && model.functions.length === 0)) {
    cache.set(facts, null);
    return undefined;
  }
  const served = servedFunctions(facts, model);
  const byCall = new Map<TableCall, InfraFunction[]>();
  for (const [fn, deployed] of served) {
    for (const call of reachableCalls(facts, fn)) byCall.set(call, [...(byCall.get(call) ?? []), ...deployed]);
  }
  const lookup: InfraLookup = {
    model,
    servedBy: (fn) => served.get(fn) ?? [],
    functionsOf: (call) => byCall.get(call) ?? [],
    tableOf: (call) => tableOfCall(facts, call, model!, byCall.get(call) ?? []),
  };
  cache.set(facts, lookup);
  return lookup;
}
