// DG601 for the services a scan touches: the roots of the scanned Python files, each read once.

import * as path from 'path';
import { formatMessage } from '../rules/rule';
import DG601 from '../rules/DG601-over-privileged-policy';
import { infraRootOf, modelOfRoot } from './discover';
import { overPrivileged, type TemplateFinding } from './overPrivileged';
import { analyzeFunctions, type DocumentFactory } from './project';

export function serviceRoots(pythonFiles: readonly string[]): string[] {
  const roots = new Set<string>();
  const dirs = new Set(pythonFiles.map((f) => path.dirname(path.resolve(f))));
  for (const d of dirs) {
    const r = infraRootOf(path.join(d, '__probe__.py'));
    if (r) roots.add(r);
  }
  return [...roots].sort();
}

export function templateFindings(pythonFiles: readonly string[], factory: DocumentFactory): TemplateFinding[] {
  const out: TemplateFinding[] = [];
  for (const root of serviceRoots(pythonFiles)) {
    const model = modelOfRoot(root);
    if (model.functions.length === 0) continue;
    out.push(...overPrivileged(model, analyzeFunctions(model, root, factory), (data) => formatMessage(DG601.messages.overPrivileged!, data)));
  }
  return out;
}
