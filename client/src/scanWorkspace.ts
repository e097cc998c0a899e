// "DynamoGuard: Scan Workspace": the server walks every folder and publishes diagnostics for files
// that are not open; the client only shows progress and the summary.

import * as vscode from 'vscode';
import { type BaseLanguageClient, NotificationType, RequestType } from 'vscode-languageclient';
import {
  Notifications,
  Requests,
  type ScanProgressParams,
  type ScanWorkspaceParams,
  type ScanWorkspaceResult,
} from '../../server/out/protocol';
import { plural } from './status';

const scanRequest = new RequestType<ScanWorkspaceParams, ScanWorkspaceResult, void>(Requests.scanWorkspace);
const progressNotification = new NotificationType<ScanProgressParams>(Notifications.scanProgress);
/** Scan ids only need to be unique within this window (Node's crypto is not there in the browser). */
let scanCount = 0;

/**
 * Resolves with the server's result (undefined when cancelled or failed) as soon as the scan ends:
 * the summary message is not awaited, so callers such as tests do not wait for a click.
 */
export async function scanWorkspace(client: BaseLanguageClient, output: vscode.OutputChannel): Promise<ScanWorkspaceResult | undefined> {
  if (!client.isRunning()) {
    void vscode.window.showWarningMessage('DynamoGuard: the server is not running; see the output.');
    return undefined;
  }
  const id = `scan-${Date.now()}-${++scanCount}`;
  const options = { location: vscode.ProgressLocation.Notification, title: 'DynamoGuard: scanning workspace', cancellable: true };
  return vscode.window.withProgress(options, async (progress, token) => {
    let reportedPercent = 0;
    const listener = client.onNotification(progressNotification, (p) => {
      if (p.id !== id || p.total <= 0) return;
      // withProgress takes increments, the server sends absolute counts.
      const percent = Math.min(100, (100 * p.done) / p.total);
      progress.report({ increment: percent - reportedPercent, message: `${p.done}/${p.total} files` });
      reportedPercent = percent;
    });
    try {
      const result = await client.sendRequest(scanRequest, { id }, token);
      void showSummary(result, output);
      return result;
    } catch (error) {
      if (token.isCancellationRequested || error instanceof vscode.CancellationError) {
        void vscode.window.showInformationMessage('DynamoGuard: workspace scan cancelled.');
        return undefined;
      }
      const message = error instanceof Error ? error.message : String(error);
      output.appendLine(`Workspace scan failed: ${message}`);
      void vscode.window.showErrorMessage(`DynamoGuard: workspace scan failed (${message}).`);
      return undefined;
    } finally {
      listener.dispose();
    }
  });
}

async function showSummary(result: ScanWorkspaceResult, output: vscode.OutputChannel): Promise<void> {
  const seconds = (result.durationMs / 1000).toFixed(1);
  let text = `DynamoGuard: ${plural(result.findings, 'finding')} in ${plural(result.files, 'file')} (${seconds} s)`;
  if (result.errors > 0) text += `; ${plural(result.errors, 'file')} could not be analyzed`;
  if (result.cancelled) text += ' - cancelled before the end';
  output.appendLine(text);
  const actions = result.errors > 0 ? ['Open Problems', 'Show Output'] : ['Open Problems'];
  const choice = await vscode.window.showInformationMessage(`${text}.`, ...actions);
  if (choice === 'Open Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
  else if (choice === 'Show Output') output.show(true);
}
