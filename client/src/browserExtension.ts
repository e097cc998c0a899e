// The web extension (vscode.dev, github.dev; package.json `browser`): the same language server,
// bundled for a web worker (dist/browser/server.js). A worker has no disk, so the client tells it
// where the extension's wasm files are and sends it the workspace's Python files and
// pyproject.toml files, read through vscode.workspace.fs, for the cross-file index, the
// configuration and the workspace scan. Where the file system cannot be listed, open files are
// still analysed and the workspace scan says why it is unavailable.

import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions } from 'vscode-languageclient/browser';
import { Names, type BrowserInitializationOptions, type WorkspaceFileContent } from '../../server/out/protocol';
import { code2Protocol, protocol2Code } from './browserUris';
import { CLIENT_ID, CLIENT_NAME, ClientSession, type ClientHooks } from './session';

/** The worker constructor of the web extension host (the client's tsconfig has no DOM types). */
declare const Worker: new (url: string, options?: { name?: string }) => unknown;

/** Bounds on what is copied into the worker: enough for a service, never a whole monorepo. */
const MAX_FILES = 5000;
const MAX_TOTAL_BYTES = 32 * 1024 * 1024;
const FILES = '**/{*.py,pyproject.toml,.gitignore}';
const SKIPPED = '**/{.git,.venv,venv,node_modules,site-packages,__pycache__}/**';

let session: ClientSession | undefined;
/** Why the workspace scan cannot run (undefined: it can). */
let scanUnavailable: string | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  session = new ClientSession(context, {
    platform: 'web worker',
    create: (output, hooks) => createClient(context, output, hooks),
  });
  session.registerCommands(() => scanUnavailable);
  await session.start();
}

export function deactivate(): Promise<void> | undefined {
  return session?.stop();
}

async function createClient(context: vscode.ExtensionContext, output: vscode.OutputChannel, hooks: ClientHooks): Promise<LanguageClient> {
  const dist = (...parts: string[]) => vscode.Uri.joinPath(context.extensionUri, 'dist', ...parts).toString(true);
  const files = await readWorkspaceFiles(output);
  const initializationOptions: BrowserInitializationOptions = {
    assets: {
      'tree-sitter.wasm': dist('tree-sitter.wasm'),
      'tree-sitter-python.wasm': dist('tree-sitter-python.wasm'),
      ruleDocs: dist('docs', 'rules'),
    },
    files,
  };
  const clientOptions: LanguageClientOptions = {
    // Any scheme: in vscode.dev files live on vscode-vfs:, in tests on file: or vscode-test-web:.
    documentSelector: [{ language: 'python' }],
    synchronize: { configurationSection: Names.settingsSection },
    diagnosticPullOptions: { onChange: true, onSave: true },
    initializationOptions,
    uriConverters: { code2Protocol, protocol2Code },
    outputChannel: output,
    ...hooks,
  };
  const worker = new Worker(dist('browser', 'server.js'), { name: 'DynamoGuard language server' });
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, clientOptions, worker as ConstructorParameters<typeof LanguageClient>[3]);
}

/** The workspace's Python and pyproject.toml files, as far as the file system provider lets us. */
async function readWorkspaceFiles(output: vscode.OutputChannel): Promise<WorkspaceFileContent[]> {
  if (!vscode.workspace.workspaceFolders?.length) {
    scanUnavailable = 'no folder is open; DynamoGuard analyses the Python files you open.';
    return [];
  }
  let uris: vscode.Uri[];
  try {
    uris = await vscode.workspace.findFiles(FILES, SKIPPED, MAX_FILES + 1);
  } catch (error) {
    scanUnavailable = `this workspace's file system cannot be listed (${error instanceof Error ? error.message : String(error)}); DynamoGuard analyses the Python files you open.`;
    output.appendLine(`Workspace scan unavailable: ${scanUnavailable}`);
    return [];
  }
  if (uris.length > MAX_FILES) output.appendLine(`The workspace has more than ${MAX_FILES} Python files; the first ${MAX_FILES} are indexed.`);
  const files: WorkspaceFileContent[] = [];
  let bytes = 0;
  for (const uri of uris.slice(0, MAX_FILES)) {
    try {
      const content = await vscode.workspace.fs.readFile(uri);
      if (bytes + content.length > MAX_TOTAL_BYTES) break;
      bytes += content.length;
      files.push({ uri: code2Protocol(uri), text: new TextDecoder().decode(content) });
    } catch (error) {
      output.appendLine(`Cannot read ${uri.toString(true)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  scanUnavailable = files.some((f) => f.uri.endsWith('.py')) ? undefined : 'no Python file could be read from this workspace; DynamoGuard analyses the Python files you open.';
  output.appendLine(`Read ${files.length} workspace files (${Math.round(bytes / 1024)} KB) for the web worker server.`);
  return files;
}
