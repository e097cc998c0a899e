// The VS Code side of DynamoGuard: start the language server, register the few commands and the
// language status item. Everything about Python analysis lives in the server; keep this file thin.

import * as fs from 'fs';
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { Commands, Names, type ShowDocumentationArgs } from '../../server/out/protocol';
import { scanWorkspace } from './scanWorkspace';
import { StatusItem } from './status';

const CLIENT_ID = 'dynamoGuard';
const CLIENT_NAME = 'DynamoGuard';
const RESTART_COMMAND = 'dynamoGuard.restartServer';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel(CLIENT_NAME);
  const status = new StatusItem();
  context.subscriptions.push(output, status);

  const serverModule = resolveServerModule(context);
  output.appendLine(`Server module: ${serverModule}`);
  // One watcher for the extension's lifetime: clients come and go on restart, the watcher stays.
  const pyprojectWatcher = vscode.workspace.createFileSystemWatcher('**/pyproject.toml');
  context.subscriptions.push(pyprojectWatcher);

  // vscode-languageclient 9 has no restart(), and a client whose start failed cannot be started
  // again: (re)starting always means a fresh client.
  const start = async (): Promise<void> => {
    await stopClient();
    client = createClient(serverModule, pyprojectWatcher, output);
    status.attach(client);
    try {
      await client.start();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      output.appendLine(`The DynamoGuard server failed to start: ${message}`);
      status.setError(message);
      void vscode.window.showErrorMessage(`DynamoGuard: the server failed to start (${message}).`, 'Show Output')
        .then((choice) => choice && output.show(true));
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.showOutput, () => output.show(true)),
    vscode.commands.registerCommand(Commands.scanWorkspace, () => (client ? scanWorkspace(client, output) : undefined)),
    vscode.commands.registerCommand(Commands.showDocumentation, (args?: ShowDocumentationArgs) => showDocumentation(args)),
    vscode.commands.registerCommand(RESTART_COMMAND, () => {
      output.appendLine('Restarting the server.');
      return start();
    }),
  );

  await start();
}

export function deactivate(): Promise<void> {
  return stopClient();
}

async function stopClient(): Promise<void> {
  const stopping = client;
  client = undefined;
  // stop() throws unless the client is running; a failed or starting client only needs disposing.
  if (stopping?.isRunning()) await stopping.stop();
  else await stopping?.dispose().catch(() => undefined);
}

/**
 * Prefer the esbuild bundle (what ships in the .vsix). In the extension development host, prefer
 * tsc's output when present so `npm run watch` changes reach the server without re-bundling.
 */
function resolveServerModule(context: vscode.ExtensionContext): string {
  const bundled = context.asAbsolutePath('dist/server.js');
  const unbundled = context.asAbsolutePath('server/out/server.js');
  const order = context.extensionMode === vscode.ExtensionMode.Development ? [unbundled, bundled] : [bundled, unbundled];
  return order.find((p) => fs.existsSync(p)) ?? bundled;
}

function createClient(serverModule: string, pyprojectWatcher: vscode.FileSystemWatcher, output: vscode.OutputChannel): LanguageClient {
  // IPC rather than stdio: the server runs in a forked Node (VS Code's own, no node on PATH needed)
  // and a stray console.log anywhere in the analyzer cannot corrupt the JSON-RPC stream, because
  // messages travel over the IPC channel instead of stdout. Other editors use `--stdio`.
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6009'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      // Infrastructure files: DG601 is reported on their policy statements.
      { scheme: 'file', pattern: '**/*.{yaml,yml,json,template,tf}' },
    ],
    synchronize: {
      configurationSection: Names.settingsSection,
      fileEvents: pyprojectWatcher,
    },
    // In `onSave` mode the server only re-analyzes on save, so the client must ask again then.
    diagnosticPullOptions: { onChange: true, onSave: true },
    outputChannel: output,
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}

/** Opens a rule's markdown page (the server sends its file:// URI in code actions and hovers). */
async function showDocumentation(args?: ShowDocumentationArgs): Promise<void> {
  if (!args?.uri) {
    void vscode.window.showWarningMessage('DynamoGuard: no documentation page was given.');
    return;
  }
  const uri = vscode.Uri.parse(args.uri);
  if (uri.scheme === 'http' || uri.scheme === 'https') {
    await vscode.env.openExternal(uri);
    return;
  }
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showWarningMessage(`DynamoGuard: no documentation page for ${args.rule} at ${uri.fsPath}.`);
    return;
  }
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // The built-in markdown extension can be disabled; the raw page is still readable.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }
}
