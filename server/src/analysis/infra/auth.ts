// Route authorizers declared in infrastructure code, as the analyzer's subject evidence.

import type { FileFacts } from '../model/facts';
import type { FunctionInfo } from '../model/module';
import { infraLookup } from './lookup';

/**
 * The authorizer that guards every route of every deployed function `fn` serves (API Gateway
 * rejects unauthenticated callers before the handler runs), or undefined when any route is open,
 * no route is declared, or no infrastructure code names `fn`.
 */
export function routeAuthorizer(facts: FileFacts, fn: FunctionInfo): string | undefined {
  const deployed = infraLookup(facts)?.servedBy(fn) ?? [];
  const routes = deployed.flatMap((d) => d.routes);
  if (routes.length === 0 || routes.some((r) => !r.authorizer)) return undefined;
  return [...new Set(routes.map((r) => r.authorizer!))].join(', ');
}
