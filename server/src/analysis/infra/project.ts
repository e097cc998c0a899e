// A service seen whole: every deployed function of an infrastructure model, the Python handler it
// runs, and the DynamoDB calls that handler makes (its own and those of the same-file functions it
// calls). Feeds `dynamo-guard iam`, DG601 and the policy tests.

import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_SETTINGS } from '../config/config';
import { computeFacts } from '../model/engine';
import type { FileFacts } from '../model/facts';
import type { WorkspaceIndex } from '../model/workspace';
import { InMemoryWorkspaceIndex } from '../workspaceIndex';
import type { PyDocument } from '../parse/document';
import { actionsOfCall, importedCallees, indexOfCall, keysBoundToSubject, reachableCalls, tableOfCall } from './binding';
import type { InfraFunction, InfraModel } from './model';
import type { Need } from './policy';

export interface CallNeed extends Need {
  file: string;
  /** 0-based line of the call's method name. */
  line: number;
  method: string;
}

export interface FunctionAnalysis {
  fn: InfraFunction;
  /** The handler's Python file, when found. */
  file?: string;
  needs: CallNeed[];
  /** Calls whose table could not be tied to the model (`file:line method`). */
  unresolved: string[];
}

export interface DocumentFactory {
  createDocument(text: string): PyDocument;
}

/** The Python file a deployed function's handler names, searched under its code directory or the root. */
export function handlerFile(fn: InfraFunction, root: string): string | undefined {
  if (!fn.module) return undefined;
  const rel = fn.module.split('/').join(path.sep);
  const candidates = fn.codeDir ? [path.join(fn.codeDir, `${rel}.py`), path.join(fn.codeDir, rel, '__init__.py')] : [];
  for (const dir of [root, ...['src', 'app', 'lambda', 'lambdas', 'functions', 'handlers', 'backend'].map((d) => path.join(root, d)), path.dirname(root)]) {
    candidates.push(path.join(dir, `${rel}.py`));
  }
  return candidates.find((c) => {
    try {
      return fs.statSync(c).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * A workspace index over the service, so the engine follows a handler's calls into the other
 * modules of the service (handler -> service -> repository, tables in `db.py`): layers.
 */
export function serviceWorkspace(model: InfraModel, root: string, factory: DocumentFactory): WorkspaceIndex {
  const roots = [...new Set([root, ...model.functions.map((f) => f.codeDir).filter((d): d is string => !!d)])];
  const ws = new InMemoryWorkspaceIndex(roots);
  ws.setFactsLoader((file) => {
    let text: string;
    try {
      if (fs.statSync(file).size > DEFAULT_SETTINGS.maxFileSizeKb * 1024) return undefined;
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const doc = factory.createDocument(text);
    try {
      return computeFacts(doc, DEFAULT_SETTINGS, ws, file, true, { timeMs: 2_000 });
    } catch {
      return undefined;
    } finally {
      doc.dispose();
    }
  });
  return ws;
}

export function analyzeFunctions(model: InfraModel, root: string, factory: DocumentFactory, given?: WorkspaceIndex): FunctionAnalysis[] {
  const workspace = given?.moduleFacts ? given : serviceWorkspace(model, root, factory);
  const factsByFile = new Map<string, { facts: FileFacts; doc: PyDocument } | undefined>();
  const factsOf = (file: string) => {
    if (!factsByFile.has(file)) {
      try {
        const doc = factory.createDocument(fs.readFileSync(file, 'utf8'));
        factsByFile.set(file, { facts: computeFacts(doc, DEFAULT_SETTINGS, workspace, file), doc });
      } catch {
        factsByFile.set(file, undefined);
      }
    }
    return factsByFile.get(file)?.facts;
  };
  const out: FunctionAnalysis[] = [];
  try {
    for (const fn of model.functions) {
      const file = handlerFile(fn, root);
      const facts = file ? factsOf(file) : undefined;
      const info = facts?.module.topFunctions.get(fn.functionName ?? '');
      if (!file || !facts || !info) {
        out.push({ fn, needs: [], unresolved: [] });
        continue;
      }
      const needs: CallNeed[] = [];
      // Imported callees the engine could not summarise (a module it cannot read, a dynamic call).
      const unfollowed = importedCallees(facts, info).filter((q) => !followed(workspace, file, q));
      const unresolved: string[] = unfollowed.map((q) => `${path.relative(root, file)}: calls \`${q}\` from another module of the service (its DynamoDB calls are not followed)`);
      for (const call of reachableCalls(facts, info)) {
        const table = tableOfCall(facts, call, model, [fn]);
        // Where the DynamoDB call is: the bottom of a layered call, in its own module.
        const bottom = call.via?.[call.via.length - 1];
        const at = bottom?.path ? { file: bottom.path, line: bottom.node.startRow } : { file, line: call.methodNode.startRow };
        const line = at.line;
        if (!table) {
          unresolved.push(`${path.relative(root, at.file)}:${line + 1} ${call.method}`);
          continue;
        }
        const index = indexOfCall(call);
        // An index the table does not have fails before IAM is asked (DG407): no permission for it.
        if (index !== undefined && table.keys && !table.indexes.some((i) => i.name === index)) continue;
        for (const action of actionsOfCall(facts, call)) {
          needs.push({ action, table: table.id, ...(index ? { index } : {}), subjectBound: keysBoundToSubject(call), file: at.file, line, method: call.method });
        }
      }
      out.push({ fn, file, needs, unresolved });
    }
  } finally {
    for (const v of factsByFile.values()) v?.doc.dispose();
  }
  return out;
}

/** Does the engine know what `qualified` (a name imported from a module of the service) does? */
function followed(workspace: WorkspaceIndex, importer: string, qualified: string): boolean {
  const dot = qualified.lastIndexOf('.');
  if (dot <= 0) return false;
  const mod = workspace.moduleFacts?.(importer, qualified.slice(0, dot));
  if (!mod) return false;
  const name = qualified.slice(dot + 1);
  if (mod.facts.module.topFunctions.has(name)) return !!mod.facts.summary(name);
  // A class (methods summarised on use) or a module-level value (a table, a repository instance).
  return mod.facts.module.classes.has(name) || mod.facts.describe(name) !== undefined;
}
