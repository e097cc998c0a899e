// Where the Python code meets the infrastructure model: which deployed functions a Python function
// serves, which table a call's `Table(os.environ["X"])` is, and what each call needs from IAM.

import * as fs from 'fs';
import * as path from 'path';
import type { FileFacts, FunctionFacts, TableCall } from '../model/facts';
import type { FunctionInfo } from '../model/module';
import { textOf } from '../model/module';
import { visit, type SyntaxNode } from '../parse/syntax';
import { ACTION_OF_METHOD, BATCH_WRITER_ACTION, PARTIQL_ACTIONS } from './knowledge';
import { tableByEngineName } from './engineValues';
import type { InfraFunction, InfraModel, InfraTable } from './model';

/** Deployed functions whose handler is `fnName` in `file`. */
export function functionsServing(model: InfraModel, file: string, fnName: string): InfraFunction[] {
  const noExt = path.resolve(file).replace(/\.py$/, '').split(path.sep).join('/');
  return model.functions.filter((f) => {
    if (f.functionName !== fnName || !f.module) return false;
    if (f.codeDir) return `${f.codeDir.split(path.sep).join('/')}/${f.module}` === noExt;
    return noExt.endsWith(`/${f.module}`);
  });
}

/** Functions of this file that run as a deployed handler, with the deployed functions they serve. */
export function servedFunctions(facts: FileFacts, model: InfraModel): Map<FunctionInfo, InfraFunction[]> {
  const out = new Map<FunctionInfo, InfraFunction[]>();
  if (!facts.path) return out;
  for (const fn of facts.module.topFunctions.values()) {
    const served = functionsServing(model, facts.path, fn.name);
    if (served.length) out.set(fn, served);
  }
  return out;
}

const ENV_READ = /(?:os\.)?(?:environ\s*\[\s*|environ\.get\s*\(\s*|getenv\s*\(\s*)["'](\w+)["']/;

/**
 * The environment variable or literal a table expression is built from. Bounded text matching:
 * the expression itself, or the right-hand side of its (last) assignment in the module, two hops.
 */
function tableSource(text: string, expr: string, hops = 0): { env?: string; name?: string } {
  const env = ENV_READ.exec(expr)?.[1];
  if (env) return { env };
  const tableArg = /\.Table\(\s*([^()]*(?:\([^()]*\))?[^()]*)\)/.exec(expr)?.[1];
  const arg = tableArg ?? (hops > 0 ? expr.trim() : undefined);
  if (arg !== undefined) {
    const lit = /^["']([\w.-]+)["']$/.exec(arg.trim())?.[1];
    if (lit) return { name: lit };
    if (ENV_READ.test(arg)) return { env: ENV_READ.exec(arg)![1]! };
  }
  if (hops >= 3) return {};
  const name = (arg ?? expr).trim();
  if (!/^[\w.]{1,80}$/.test(name)) return {};
  const escaped = name.replace(/\./g, '\\.');
  const assigns = [...text.matchAll(new RegExp(`^[ \\t]*${escaped}\\s*(?::[^=\\n]*)?=\\s*(.{1,300})$`, 'gm'))];
  const last = assigns[assigns.length - 1];
  return last ? tableSource(text, last[1]!, hops + 1) : {};
}

/** The infrastructure table a call works on, for the deployed functions `served` (all if empty). */
export function tableOfCall(facts: FileFacts, call: TableCall, model: InfraModel, served: readonly InfraFunction[] = []): InfraTable | undefined {
  if (call.tableName) {
    // The engine's name: the physical name, or the logical id of an env-bound table (engineValues.ts).
    const t = tableByEngineName(model, call.tableName);
    if (t) return t;
  }
  // A call made in another module (layers) keeps that module's nodes: read them in its text.
  const text = calleeText(facts, call);
  if (text === undefined) return undefined;
  const tableArg = call.kwargs.get('TableName')?.node;
  const expr = tableArg ? textOf(text, tableArg) : textOf(text, call.receiver);
  const src = tableSource(text, tableArg ? `x.Table(${expr})` : expr);
  if (src.name) return model.tables.find((x) => x.name === src.name);
  if (!src.env) return undefined;
  const fns = served.length ? served : model.functions;
  const ids = new Set(fns.map((f) => f.env[src.env!]?.table).filter((t): t is string => !!t));
  // One binding for every function that could run this code, or it is ambiguous.
  if (ids.size !== 1) return undefined;
  const id = [...ids][0]!;
  return model.tables.find((t) => t.id === id);
}

/** The file the DynamoDB call of a (possibly layered) call sits in. */
export function calleeFile(facts: FileFacts, call: TableCall): string | undefined {
  const bottom = call.via?.[call.via.length - 1];
  return bottom?.path ?? facts.path;
}

function calleeText(facts: FileFacts, call: TableCall): string | undefined {
  const file = calleeFile(facts, call);
  if (!file || file === facts.path) return facts.text;
  const loaded = facts.workspace?.factsAt?.(file)?.text;
  if (loaded !== undefined) return loaded;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The IAM actions a call needs (a transaction lists its entries' actions). */
export function actionsOfCall(facts: FileFacts, call: TableCall): string[] {
  if (call.api === 'batch') return [BATCH_WRITER_ACTION];
  if (call.method === 'transact_write_items') {
    const t = textOf(facts.text, call.node);
    const out = new Set<string>();
    if (/["']Put["']/.test(t)) out.add('dynamodb:PutItem');
    if (/["']Update["']/.test(t)) out.add('dynamodb:UpdateItem');
    if (/["']Delete["']/.test(t)) out.add('dynamodb:DeleteItem');
    if (/["']ConditionCheck["']/.test(t)) out.add('dynamodb:ConditionCheckItem');
    return out.size ? [...out] : ['dynamodb:PutItem'];
  }
  if (/execute_statement|execute_transaction/.test(call.method)) {
    const stmt = call.kwargs.get('Statement')?.value.str ?? '';
    const verb = /^\s*(\w+)/.exec(stmt)?.[1]?.toLowerCase();
    return [PARTIQL_ACTIONS[verb ?? ''] ?? 'dynamodb:PartiQLSelect'];
  }
  const a = ACTION_OF_METHOD[call.method];
  return a ? [a] : [];
}

export function indexOfCall(call: TableCall): string | undefined {
  return call.kwargs.get('IndexName')?.value.str ?? call.kwargs.get('index_name')?.value.str;
}

/** Calls made by `fn` and by the functions of the same file it calls, transitively (bounded). */
export function reachableCalls(facts: FileFacts, fn: FunctionInfo): TableCall[] {
  return reach(facts, fn).calls;
}

/**
 * Names imported from other modules of the service that `fn` (or a same-file function it calls)
 * calls: their DynamoDB calls are not followed, so what the function needs is not fully known.
 */
export function importedCallees(facts: FileFacts, fn: FunctionInfo): string[] {
  if (!facts.path) return [];
  const dir = path.dirname(facts.path);
  return reach(facts, fn).imported.filter((q) => {
    const mod = q.replace(/\.[^.]+$/, '');
    const rel = mod.replace(/^\.+/, '').split('.').join(path.sep);
    // Only modules that are files of the service: libraries are not DynamoDB layers we could read.
    return rel !== '' && [path.join(dir, `${rel}.py`), path.join(dir, rel, '__init__.py'), path.join(path.dirname(dir), `${rel}.py`)].some((f) => fs.existsSync(f));
  });
}

function reach(facts: FileFacts, fn: FunctionInfo): { calls: TableCall[]; imported: string[] } {
  const byFn = new Map<FunctionInfo, FunctionFacts>(facts.functions.map((f) => [f.fn, f]));
  const seen = new Set<FunctionInfo>();
  const queue: FunctionInfo[] = [fn];
  const out: TableCall[] = [];
  const imported = new Set<string>();
  while (queue.length && seen.size < 64) {
    const cur = queue.shift()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    out.push(...(byFn.get(cur)?.calls ?? []));
    visit(cur.body, (n: SyntaxNode) => {
      if (n.type !== 'call') return;
      const callee = n.children[0];
      if (!callee) return;
      const name = textOf(facts.text, callee);
      const top = facts.module.topFunctions.get(name);
      if (top) queue.push(top);
      const imp = facts.module.imports.get(name.split('.')[0]!);
      if (imp && !top) imported.add(name.includes('.') ? `${imp.qualified}.${name.split('.').slice(1).join('.')}` : imp.qualified);
      const self = /^self\.(\w+)$/.exec(name)?.[1];
      if (self && cur.className) {
        const m = facts.module.classes.get(cur.className)?.methods.find((x) => x.name === self);
        if (m) queue.push(m);
      }
    });
  }
  return { calls: out, imported: [...imported].slice(0, 50) };
}

/** Is every key this call uses derived from the authenticated subject (and nothing from the request)? */
export function keysBoundToSubject(call: TableCall): boolean {
  if (call.method === 'scan' || call.keys.length === 0) return false;
  const parts = call.keys.filter((k) => k.partition);
  return parts.length > 0 && parts.every((k) => (k.value.subject?.length ?? 0) > 0 && !(k.value.request?.length));
}
