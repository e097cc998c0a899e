// Route authorizers declared in infrastructure code, as the analyzer's subject evidence.

import type { FileFacts } from '../model/facts';
import type { FunctionInfo } from '../model/module';
import * as path from 'path';
import { infraFor } from './discover';
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

/** Names of this file's functions that the infrastructure code deploys as handlers. */
export function deployedHandlerNames(file: string | undefined): Set<string> {
  let model;
  try {
    model = infraFor(file);
  } catch {
    model = undefined;
  }
  if (!file || !model) return new Set();
  const noExt = path.resolve(file).replace(/\.py$/, '').split(path.sep).join('/');
  return new Set(model.functions.filter((f) => f.functionName && f.module && (f.codeDir ? `${f.codeDir.split(path.sep).join('/')}/${f.module}` === noExt : noExt.endsWith(`/${f.module}`))).map((f) => f.functionName!));
}
