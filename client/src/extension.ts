// The desktop VS Code side of DynamoGuard: start the Node language server over IPC. The lifecycle,
// commands and language status item are shared with the web extension (browserExtension.ts) in
// session.ts. Everything about Python analysis lives in the server; keep this file thin.

import * as fs from 'fs';
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { Names, Notifications } from '../../server/out/protocol';
import { CLIENT_ID, CLIENT_NAME, ClientSession, type ClientHooks } from './session';

let session: ClientSession | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = resolveServerModule(context);
  // One watcher for the extension's lifetime: clients come and go on restart, the watcher stays.
  const pyprojectWatcher = vscode.workspace.createFileSystemWatcher('**/pyproject.toml');
  context.subscriptions.push(pyprojectWatcher);
  session = new ClientSession(context, {
    platform: 'node',
    create: (output, hooks) => createClient(serverModule, pyprojectWatcher, output, hooks),
  });
  session.output.appendLine(`Server module: ${serverModule}`);
  session.registerCommands();
  // Restricted Mode limits end when the user trusts the workspace.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => void session?.current?.sendNotification(Notifications.trust, { trusted: true })),
  );
  await session.start();
}

export function deactivate(): Promise<void> | undefined {
  return session?.stop();
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

function createClient(serverModule: string, pyprojectWatcher: vscode.FileSystemWatcher, output: vscode.OutputChannel, hooks: ClientHooks): LanguageClient {
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
      // Configuration mistakes are diagnosed in pyproject.toml itself (any TOML extension or none).
      { scheme: 'file', pattern: '**/pyproject.toml' },
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
    // Read at every (re)start: an untrusted workspace gets the server's Restricted Mode limits.
    initializationOptions: () => ({ trusted: vscode.workspace.isTrusted }),
    ...hooks,
  };
  return new DynamoGuardClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}

/**
 * vscode-languageclient 9 logs every exit of the server process as an error, including the one a
 * stop (Restart Server, deactivation) asks for. An exit with code 0 after the client stopped is
 * that normal end: log it as information. A crash (the client still running) stays an error.
 */
class DynamoGuardClient extends LanguageClient {
  override error(message: string, data?: unknown, showNotification?: boolean | 'force'): void {
    if (this.state === State.Stopped && message === 'Server process exited with code 0.') this.info(message, data);
    else super.error(message, data, showNotification);
  }
}
