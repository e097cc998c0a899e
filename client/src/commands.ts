// "Fix all problems", "Export SARIF for the workspace" and "Show debug info". The server does the
// work (code actions, the workspace scan, its own state); these only ask and present.

import * as vscode from 'vscode';
import { type BaseLanguageClient, NotificationType, RequestType, RequestType0 } from 'vscode-languageclient';
import {
  EditorRequests,
  Names,
  Notifications,
  type DebugInfo,
  type ExportSarifParams,
  type ExportSarifResult,
  type ScanProgressParams,
} from '../../server/out/protocol';
import { configuredLevel } from './logLevel';
import { plural } from './status';

const sarifRequest = new RequestType<ExportSarifParams, ExportSarifResult, void>(EditorRequests.exportSarif);
const debugInfoRequest = new RequestType0<DebugInfo, void>(EditorRequests.debugInfo);
const progressNotification = new NotificationType<ScanProgressParams>(Notifications.scanProgress);
const SARIF_SETTING = 'dynamoGuard.sarifOutput';
let exportCount = 0;

type Running = () => BaseLanguageClient | undefined;

function runningClient(running: Running): BaseLanguageClient | undefined {
  const client = running();
  if (client?.isRunning()) return client;
  void vscode.window.showWarningMessage('DynamoGuard: the server is not running; see the output.');
  return undefined;
}

/** Applies `source.fixAll.dynamoGuard` (every fix marked safe) to the active Python file. */
export async function fixAll(running: Running): Promise<number> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'python') {
    void vscode.window.showInformationMessage('DynamoGuard: open a Python file to fix its problems.');
    return 0;
  }
  if (!runningClient(running)) return 0;
  const document = editor.document;
  const whole = new vscode.Range(0, 0, document.lineCount, 0);
  const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider', document.uri, whole, Names.fixAllKind, 10,
  )) ?? [];
  let applied = 0;
  for (const action of actions) {
    if (!action.kind || !vscode.CodeActionKind.Empty.append(Names.fixAllKind).contains(action.kind)) continue;
    if (action.edit && action.edit.size > 0 && (await vscode.workspace.applyEdit(action.edit))) applied++;
    if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }
  if (applied === 0) void vscode.window.showInformationMessage('DynamoGuard: no safe fixes to apply in this file.');
  return applied;
}

/** Scans the workspace and saves the findings as SARIF 2.1.0 (the CLI's `--format sarif`). */
export async function exportSarif(running: Running, output: vscode.OutputChannel): Promise<vscode.Uri | undefined> {
  const client = runningClient(running);
  if (!client) return undefined;
  const id = `sarif-${Date.now()}-${++exportCount}`;
  const options = { location: vscode.ProgressLocation.Notification, title: 'DynamoGuard: exporting SARIF', cancellable: true };
  const result = await vscode.window.withProgress(options, async (progress, token) => {
    let reported = 0;
    const listener = client.onNotification(progressNotification, (p) => {
      if (p.id !== id || p.total <= 0) return;
      const percent = Math.min(100, (100 * p.done) / p.total);
      progress.report({ increment: percent - reported, message: `${p.done}/${p.total} files` });
      reported = percent;
    });
    try {
      return await client.sendRequest(sarifRequest, { id }, token);
    } catch (error) {
      if (token.isCancellationRequested || error instanceof vscode.CancellationError) return undefined;
      const message = error instanceof Error ? error.message : String(error);
      output.appendLine(`SARIF export failed: ${message}`);
      void vscode.window.showErrorMessage(`DynamoGuard: SARIF export failed (${message}).`);
      return undefined;
    } finally {
      listener.dispose();
    }
  });
  if (!result) return undefined;
  if (result.cancelled) {
    void vscode.window.showInformationMessage('DynamoGuard: SARIF export cancelled.');
    return undefined;
  }
  const target = await sarifTarget();
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(result.sarif));
  const text = `DynamoGuard: ${plural(result.findings, 'finding')} in ${plural(result.files, 'file')} written to ${target.toString(true)}`;
  output.appendLine(text);
  void vscode.window.showInformationMessage(`${text}.`, 'Open').then((choice) => {
    if (choice === 'Open') void vscode.window.showTextDocument(target);
  });
  return target;
}

/** `dynamoGuard.sarifOutput` (relative to the first workspace folder) or a save dialog. */
async function sarifTarget(): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const configured = vscode.workspace.getConfiguration().get<string>(SARIF_SETTING, '').trim();
  if (configured) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(configured) && !/^[a-z]:[\\/]/i.test(configured)) return vscode.Uri.parse(configured);
    if (configured.startsWith('/') || /^[a-z]:[\\/]/i.test(configured)) return vscode.Uri.file(configured);
    if (folder) return vscode.Uri.joinPath(folder, configured);
  }
  return vscode.window.showSaveDialog({
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'dynamo-guard.sarif') } : {}),
    filters: { SARIF: ['sarif', 'json'] },
    title: 'Export DynamoGuard findings as SARIF',
  });
}

/** Versions, settings sources, index state, open documents and timings, as a Markdown document. */
export async function showDebugInfo(running: Running, context: vscode.ExtensionContext, platform: string): Promise<string> {
  const client = running();
  const lines = [
    '# DynamoGuard debug info',
    '',
    `- extension: ${String((context.extension.packageJSON as { version?: string }).version)} (${platform} server)`,
    `- VS Code: ${vscode.version} (${vscode.env.appHost}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'})`,
    `- log level: ${configuredLevel()}; trace: ${vscode.workspace.getConfiguration().get<string>('dynamoGuard.trace.server', 'off')}`,
    `- client state: ${client?.isRunning() ? 'running' : 'not running'}`,
  ];
  if (client?.isRunning()) {
    try {
      lines.push('', ...debugInfoLines(await client.sendRequest(debugInfoRequest)));
    } catch (error) {
      lines.push('', `The server did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const text = `${lines.join('\n')}\n`;
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
  await vscode.window.showTextDocument(document, { preview: true });
  return text;
}

function debugInfoLines(info: DebugInfo): string[] {
  const out = [
    '## Server',
    '',
    `- version ${info.server.version}, ${info.server.runtime} on ${info.server.platform}${info.server.pid ? `, pid ${info.server.pid}` : ''}, up ${Math.round(info.server.uptimeMs / 1000)} s`,
    `- ${info.rules} rules`,
    `- workspace index: ${plural(info.index.modules, 'module')}, version ${info.index.version}${info.index.building ? ', building' : ''}`,
  ];
  if (info.scan) out.push(`- last workspace scan: ${plural(info.scan.files, 'file')}, ${plural(info.scan.findings, 'finding')}, ${info.scan.lastDurationMs} ms`);
  out.push('', '## Configuration per workspace folder', '');
  if (info.folders.length === 0) out.push('- no workspace folder');
  for (const folder of info.folders) {
    out.push(`### ${folder.uri}`, '', `Sources in force: ${folder.sources.join(', ')}`, '', '```json', JSON.stringify(folder.settings, null, 2), '```', '');
  }
  out.push('## Open documents', '');
  if (info.documents.length === 0) out.push('- none');
  for (const doc of info.documents) {
    out.push(`- ${doc.uri} (version ${doc.version}): ${plural(doc.findings ?? 0, 'finding')}, analysed in ${doc.lastAnalysisMs ?? '?'} ms`);
  }
  return out;
}
