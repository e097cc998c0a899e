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

// The web extension host's globals (the client's tsconfig has no DOM types).
declare const Worker: new (url: string, options?: { name?: string }) => unknown;
declare const Blob: new (parts: Uint8Array[], options?: { type?: string }) => object;
declare const URL: { createObjectURL(blob: object): string };
declare function btoa(binary: string): string;

/** Bounds on what is copied into the worker: enough for a service, never a whole monorepo. */
const MAX_FILES = 5000;
const MAX_TOTAL_BYTES = 32 * 1024 * 1024;
const READ_BATCH = 16;
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
  // Not awaited: reading the workspace goes through VS Code's search and file system, which may
  // wait for extension activation to finish.
  void session.start();
}

export function deactivate(): Promise<void> | undefined {
  return session?.stop();
}

async function createClient(context: vscode.ExtensionContext, output: vscode.OutputChannel, hooks: ClientHooks): Promise<LanguageClient> {
  const dist = (...parts: string[]) => vscode.Uri.joinPath(context.extensionUri, 'dist', ...parts);
  const files = await readWorkspaceFiles(output);
  const initializationOptions: BrowserInitializationOptions = {
    assets: {
      'tree-sitter.wasm': await browserUrl(dist('tree-sitter.wasm'), 'application/wasm'),
      'tree-sitter-python.wasm': await browserUrl(dist('tree-sitter-python.wasm'), 'application/wasm'),
      ruleDocs: dist('docs', 'rules').toString(true),
    },
    files,
  };
  const clientOptions: LanguageClientOptions = {
    // Any scheme: in vscode.dev files live on vscode-vfs:, in tests on file: or vscode-test-web:.
    // pyproject.toml too: configuration mistakes are diagnosed in it, as on the desktop.
    documentSelector: [{ language: 'python' }, { pattern: '**/pyproject.toml' }],
    synchronize: { configurationSection: Names.settingsSection },
    diagnosticPullOptions: { onChange: true, onSave: true },
    initializationOptions,
    uriConverters: { code2Protocol, protocol2Code },
    outputChannel: output,
    ...hooks,
  };
  output.appendLine(`Server module: ${dist('browser', 'server.js').toString(true)} (in a web worker)`);
  const worker = new Worker(await browserUrl(dist('browser', 'server.js'), 'text/javascript'), { name: 'DynamoGuard language server' });
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, clientOptions, worker as ConstructorParameters<typeof LanguageClient>[3]);
}

/**
 * A URL the worker can load. vscode.dev serves the extension over https; an extension installed on
 * a remote (code-server, tunnels) has vscode-remote: URIs, which neither `new Worker` nor `fetch`
 * accept, so its bytes are read through VS Code: the server script becomes a blob: URL, the wasm
 * files data: URLs that the worker decodes itself (its content security policy may forbid loading
 * blob: and data: URLs).
 */
async function browserUrl(uri: vscode.Uri, type: 'text/javascript' | 'application/wasm'): Promise<string> {
  if (uri.scheme === 'https' || uri.scheme === 'http') return uri.toString(true);
  const bytes = await vscode.workspace.fs.readFile(uri);
  if (type === 'text/javascript') return URL.createObjectURL(new Blob([bytes], { type }));
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:${type};base64,${btoa(binary)}`;
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
  const read = async (uri: vscode.Uri) => {
    try {
      return { uri, content: await vscode.workspace.fs.readFile(uri) };
    } catch (error) {
      output.appendLine(`Cannot read ${uri.toString(true)}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
  // A few reads in flight at a time: each is a round trip to the file system provider.
  const wanted = uris.slice(0, MAX_FILES);
  for (let i = 0; i < wanted.length && bytes <= MAX_TOTAL_BYTES; i += READ_BATCH) {
    for (const file of await Promise.all(wanted.slice(i, i + READ_BATCH).map(read))) {
      if (!file || bytes + file.content.length > MAX_TOTAL_BYTES) continue;
      bytes += file.content.length;
      files.push({ uri: code2Protocol(file.uri), text: new TextDecoder().decode(file.content) });
    }
  }
  scanUnavailable = files.some((f) => f.uri.endsWith('.py')) ? undefined : 'no Python file could be read from this workspace; DynamoGuard analyses the Python files you open.';
  output.appendLine(`Read ${files.length} workspace files (${Math.round(bytes / 1024)} KB) for the web worker server.`);
  return files;
}
