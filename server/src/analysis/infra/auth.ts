// Route authorizers declared in infrastructure code, as the analyzer's subject evidence.

import type { FileFacts } from '../model/facts';
import type { RelatedLocation } from '../types';
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

/**
 * What the template says of `fn`'s routes: `guarded` when every one is behind an authorizer (no
 * DG102); an open route while other routes of the same template have an authorizer, named with
 * where the template declares it (DG102's message and related information); else undefined.
 */
export function templateRoutes(facts: FileFacts, fn: FunctionInfo): 'guarded' | { why: string; related: RelatedLocation } | undefined {
  if (routeAuthorizer(facts, fn)) return 'guarded';
  const lookup = infraLookup(facts);
  const open = (lookup?.servedBy(fn) ?? []).flatMap((d) => d.routes).find((r) => !r.authorizer);
  if (!lookup || !open) return undefined;
  if (!lookup.model.functions.some((f) => f.routes.some((r) => r.authorizer && r.loc.file === open.loc.file))) return undefined;
  const route = `${open.method} ${open.path}`;
  const line = open.loc.line + 1;
  const l = open.loc;
  const related = { range: { start: { line: l.line, character: l.column }, end: { line: l.endLine, character: l.endColumn } }, message: `route ${route} is declared here without an authorizer`, path: path.resolve(l.file) };
  return { why: `: route ${route} has no authorizer in ${path.basename(open.loc.file)}:${line}, while other routes there have one`, related };
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
