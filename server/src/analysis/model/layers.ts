import type { Foreign, InitTemplate, SummaryRef } from './interp/state';
import type { InstanceAttr } from './values';
import type { WorkspaceIndex } from './workspace';

// Cross-module layers: what a qualified name of another workspace module is (a function with its
// summary, a class, a module-level instance or table), read from that module's facts.

const MAX_REEXPORT_HOPS = 3;

/** `pkg.repo.get_order` → module `pkg.repo`, name `get_order`; also `pkg.repo.Repo` or `.db.table`. */
export function foreignName(workspace: WorkspaceIndex | undefined, importer: string | undefined, qualified: string, hops = 0): Foreign | undefined {
  if (!workspace?.moduleFacts) return undefined;
  const dot = qualified.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const mod = workspace.moduleFacts(importer, qualified.slice(0, dot));
  if (!mod) return undefined;
  const name = qualified.slice(dot + 1);
  const fn = mod.facts.module.topFunctions.get(name);
  if (fn) {
    const summary = mod.facts.summary(name);
    return summary ? { kind: 'function', summary, params: fn.params.map((p) => p.name), path: mod.path } : undefined;
  }
  const v = mod.facts.describe(name);
  // A package re-exporting a name (`from .dynamodb import DynamoDB` in `__init__.py`): follow it, a few hops.
  const reexport = v ? undefined : mod.facts.module.imports.get(name);
  if (reexport && hops < MAX_REEXPORT_HOPS) return foreignName(workspace, mod.path, reexport.qualified, hops + 1);
  if (!v) return undefined;
  if ((v.obj === 'instance' || v.obj === 'classRef' || v.obj === 'pynamoModel') && !v.module) return { kind: 'value', value: { ...v, module: mod.path } };
  return { kind: 'value', value: v };
}

export function foreignMethod(
  workspace: WorkspaceIndex | undefined, file: string, className: string, method: string, attrs?: readonly InstanceAttr[],
): SummaryRef | undefined {
  return workspace?.factsAt?.(file)?.methodSummary(className, method, attrs);
}

export function foreignInit(workspace: WorkspaceIndex | undefined, file: string, className: string): InitTemplate | undefined {
  return workspace?.factsAt?.(file)?.initTemplate(className);
}

/** `app.auth.signed_in` → whether that module's `signed_in` is a decorator checking the session, following re-exports. */
export function foreignSessionDecorator(workspace: WorkspaceIndex | undefined, importer: string | undefined, qualified: string, hops = 0): boolean {
  const dot = qualified.lastIndexOf('.');
  if (!workspace?.moduleFacts || dot <= 0) return false;
  const mod = workspace.moduleFacts(importer, qualified.slice(0, dot));
  if (!mod) return false;
  const name = qualified.slice(dot + 1);
  if (mod.facts.module.topFunctions.has(name)) return mod.facts.sessionDecorator(name);
  const reexport = mod.facts.module.imports.get(name);
  return !!reexport && hops < MAX_REEXPORT_HOPS && foreignSessionDecorator(workspace, mod.path, reexport.qualified, hops + 1);
}
