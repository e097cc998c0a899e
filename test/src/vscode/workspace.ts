// The throwaway workspace VS Code opens for the integration suite: the smoke sample in several
// files (each test edits its own) plus, when present, a copy of examples/ so the workspace scan
// runs over a realistic project.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SMOKE_SAMPLE } from '../helpers/cliTree';

/** Workspace-relative paths; every file holds SMOKE_SAMPLE (DG101 on line 7, DG102 on line 6). */
export const FILES = {
  quickFix: 'smoke_fix.py',
  suppress: 'smoke_suppress.py',
  docs: 'smoke_docs.py',
  /** Never opened by the suite: its diagnostics can only come from the workspace scan. */
  unopened: 'scan_only/smoke_unopened.py',
} as const;

export function createWorkspace(repoRoot: string): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dg-vscode-')));
  for (const file of Object.values(FILES)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), SMOKE_SAMPLE);
  }
  const examples = path.join(repoRoot, 'examples');
  if (fs.existsSync(examples)) {
    const skip = new Set(['.venv', 'venv', '__pycache__', 'node_modules']);
    fs.cpSync(examples, path.join(root, 'examples'), { recursive: true, filter: (src) => !skip.has(path.basename(src)) });
  }
  // Ignoring DG201 leaves DG101 alone on the `get_item` range, so the code actions there are
  // DG101's (the code action API does not say which diagnostic an action fixes); it also shows
  // that workspace settings reach the server.
  const settings = { 'dynamoGuard.ignore': ['DG201'], 'dynamoGuard.trace.server': 'messages', 'workbench.startupEditor': 'none' };
  fs.mkdirSync(path.join(root, '.vscode'));
  fs.writeFileSync(path.join(root, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  return root;
}
