// The server side of "DynamoGuard: Export SARIF for the workspace" and "DynamoGuard: Show debug
// info". The SARIF is the CLI's (cli/sarif.ts) over the workspace scan's results, so the editor's
// export and CI's upload agree finding for finding.

import * as path from 'path';
import type { CancellationToken } from 'vscode-languageserver/node';
import { RULES, type Analyzer, type Finding } from '../analysis';
import { ruleMetas } from '../cli/catalog';
import { compareFindings, type ReportedFinding, type ScanReport } from '../cli/report';
import { toSarif } from '../cli/sarif';
import { packageVersion } from '../cli/version';
import type { DebugInfo, ExportSarifParams, ExportSarifResult } from '../protocol';
import type { DocumentStore } from './documents';
import type { WorkspaceFolders } from './folders';
import type { SettingsStore } from './settings';
import type { WorkspaceIndexer } from './workspaceIndex';
import type { WorkspaceScanner } from './workspaceScan';

export interface EditorCommandContext {
  analyzer: Analyzer;
  documents: DocumentStore;
  settings: SettingsStore;
  folders: WorkspaceFolders;
  index: WorkspaceIndexer;
  scanner: WorkspaceScanner;
}

const started = performance.now();
const toSlash = (p: string) => p.split(path.sep).join('/');

/** The deepest directory containing every workspace folder (SARIF's %SRCROOT%). */
export function commonRoot(dirs: readonly string[]): string {
  if (dirs.length === 0) return path.resolve('.');
  let root = path.resolve(dirs[0]!);
  for (const dir of dirs.slice(1)) {
    while (path.relative(root, path.resolve(dir)).startsWith('..')) {
      const parent = path.dirname(root);
      if (parent === root) break;
      root = parent;
    }
  }
  return root;
}

export async function exportSarif(ctx: EditorCommandContext, params: ExportSarifParams, token: CancellationToken): Promise<ExportSarifResult> {
  const root = commonRoot(ctx.folders.list().map((f) => f.path));
  // Keyed by file: a file closed during the scan is re-analysed, and its last result counts.
  const byFile = new Map<string, ReportedFinding[]>();
  let lines = 0;
  const sink = (file: string, text: string, findings: readonly Finding[]) => {
    const sourceLines = text.split('\n');
    lines += sourceLines.length;
    const rel = toSlash(path.relative(root, file));
    byFile.set(file, findings.map((f) => ({
      path: rel,
      // Plain data, fixes computed now: a lazy fix would keep the file's syntax tree alive.
      finding: { rule: f.rule, name: f.name, severity: f.severity, message: f.message, range: f.range, related: f.related, fixes: f.fixes },
      lineText: (sourceLines[f.range.start.line] ?? '').trim(),
    })));
  };
  const result = await ctx.scanner.scan(params, token, sink);
  const errors = ctx.scanner.last?.errorMessages ?? [];
  const report: ScanReport = {
    version: packageVersion(),
    cwd: root,
    findings: [...byFile.values()].flat().sort(compareFindings),
    files: result.files,
    lines,
    durationMs: result.durationMs,
    errors: errors.map((e) => ({ path: toSlash(path.relative(root, e.path)), message: e.message })),
  };
  return { ...result, sarif: toSarif(report, ruleMetas()), root };
}

export async function debugInfo(ctx: EditorCommandContext): Promise<DebugInfo> {
  const runtime = typeof process.versions?.node === 'string' ? `node ${process.versions.node}` : 'web worker';
  const folders: DebugInfo['folders'] = [];
  for (const folder of ctx.folders.list()) {
    const editor = await ctx.settings.editorSettings(folder.uri || undefined);
    const resolved = ctx.settings.resolve(editor, folder.path);
    const sources = [...(Object.keys(editor).length > 0 ? ['editor settings'] : ['defaults']), ...(resolved.file ? [resolved.file] : [])];
    folders.push({ uri: folder.uri, sources, settings: resolved.settings });
  }
  const documents: DebugInfo['documents'] = [];
  for (const doc of ctx.documents.all()) {
    const { settings } = await ctx.settings.forFile(doc.uri, doc.path);
    // Timed afresh rather than remembered: what one analysis of the current text costs now.
    const t0 = performance.now();
    const result = ctx.analyzer.analyzeText(doc.text.getText(), { settings, workspace: ctx.index, ...(doc.path ? { path: doc.path } : {}) });
    documents.push({ uri: doc.uri, version: doc.version, findings: result.findings.length, lastAnalysisMs: Math.round(performance.now() - t0) });
  }
  const last = ctx.scanner.last;
  return {
    server: {
      version: packageVersion(),
      runtime,
      platform: process.platform,
      uptimeMs: Math.round(performance.now() - started),
      ...(typeof process.pid === 'number' ? { pid: process.pid } : {}),
    },
    rules: RULES.length,
    folders,
    index: ctx.index.state(),
    documents,
    ...(last ? { scan: { lastDurationMs: last.durationMs, files: last.files, findings: last.findings } } : {}),
  };
}
