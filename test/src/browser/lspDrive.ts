// One LSP conversation, spoken identically to the Node server (stdio) and to the web worker server
// (through the test page): initialize with the example app as workspace folder, open its files,
// pull their diagnostics, ask for quick fixes and fix-all, scan the workspace. What comes back is
// normalised into plain data the two runs can be compared on.

import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { MessageConnection } from 'vscode-jsonrpc';
import type { CodeAction, Command, Diagnostic, DocumentDiagnosticReport, InitializeResult, WorkspaceEdit } from 'vscode-languageserver-protocol';

export interface Conversation {
  /** Diagnostics per file (path relative to the workspace), in the server's order. */
  diagnostics: Record<string, Diagnostic[]>;
  /** Code actions (title, kind, edits) for the first diagnostic of every file that has one. */
  quickFixes: Record<string, unknown[]>;
  /** source.fixAll.dynamoGuard edits per file. */
  fixAll: Record<string, unknown>;
  scan: { files: number; findings: number; errors: number };
  /** `dynamoGuard/exportSarif`: the SARIF results (fingerprints are SHA-256: Node's crypto vs the worker's). */
  sarifResults: unknown[];
  /** `dynamoGuard/debugInfo`'s server version. */
  version: string;
  /** Messages the server logged at error level. */
  errors: string[];
}

export function pythonFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (entry.name.endsWith('.py') || entry.name === 'pyproject.toml') out.push(abs);
    }
  };
  walk(root);
  return out;
}

const CAPABILITIES = {
  workspace: { configuration: true, workspaceFolders: true, workspaceEdit: { documentChanges: true }, diagnostics: { refreshSupport: false } },
  textDocument: {
    synchronization: { didSave: true },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
    diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, isPreferredSupport: true, dataSupport: true },
  },
  window: { workDoneProgress: true },
};

/** The parts of a code action that must agree (the "Show documentation" URI differs by design). */
function actionShape(a: CodeAction | Command): unknown {
  if (!('kind' in a) && 'command' in a && typeof a.command === 'string') return { title: a.title, command: a.command };
  const action = a as CodeAction;
  return { title: action.title, kind: action.kind, edit: action.edit ? editShape(action.edit) : undefined, command: action.command?.command };
}

function editShape(edit: WorkspaceEdit): unknown {
  return (edit.documentChanges ?? []).map((c) => ('edits' in c ? c.edits : c));
}

/** `more` runs after the common conversation, before shutdown (checks for one server only). */
export async function converse(conn: MessageConnection, root: string, initializationOptions: unknown, more?: (conn: MessageConnection) => Promise<void>): Promise<Conversation> {
  const errors: string[] = [];
  conn.onNotification('window/logMessage', (p: { type: number; message: string }) => {
    if (p.type === 1) errors.push(p.message);
  });
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({})));
  conn.onRequest(() => null);
  conn.listen();
  const rootUri = pathToFileURL(root).toString();
  await conn.sendRequest<InitializeResult>('initialize', {
    processId: null,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: path.basename(root) }],
    capabilities: CAPABILITIES,
    initializationOptions,
  });
  await conn.sendNotification('initialized', {});
  const files = pythonFiles(root).filter((f) => f.endsWith('.py'));
  const result: Conversation = { diagnostics: {}, quickFixes: {}, fixAll: {}, scan: { files: 0, findings: 0, errors: 0 }, sarifResults: [], version: '', errors };
  // The workspace index is built in the background; scanning first waits for it, so the pulls
  // below see the same cross-file knowledge on both servers.
  const scan = await conn.sendRequest<{ files: number; findings: number; errors: number }>('dynamoGuard/scanWorkspace', { id: 'browser-test' });
  result.scan = { files: scan.files, findings: scan.findings, errors: scan.errors };
  for (const file of files) {
    const uri = pathToFileURL(file).toString();
    const rel = path.relative(root, file).split(path.sep).join('/');
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: fs.readFileSync(file, 'utf8') } });
    const report = await conn.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri } });
    const items = report.kind === 'full' ? report.items : [];
    result.diagnostics[rel] = items;
    const first = items[0];
    if (first) {
      const actions = await conn.sendRequest<Array<CodeAction | Command> | null>('textDocument/codeAction', {
        textDocument: { uri }, range: first.range, context: { diagnostics: [first] },
      });
      result.quickFixes[rel] = (actions ?? []).map(actionShape);
      const fixAll = await conn.sendRequest<Array<CodeAction | Command> | null>('textDocument/codeAction', {
        textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.fixAll.dynamoGuard'] },
      });
      result.fixAll[rel] = (fixAll ?? []).map(actionShape);
    }
  }
  const exported = await conn.sendRequest<{ sarif: string }>('dynamoGuard/exportSarif', { id: 'sarif' });
  result.sarifResults = (JSON.parse(exported.sarif) as { runs: Array<{ results: unknown[] }> }).runs[0]!.results;
  result.version = (await conn.sendRequest<{ server: { version: string } }>('dynamoGuard/debugInfo', {})).server.version;
  await more?.(conn);
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  return result;
}
