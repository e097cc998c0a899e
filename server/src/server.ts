// DynamoGuard language server (LSP 3.17 over stdio): `node server/out/server.js --stdio`.
// Wiring only; the behaviour lives in ./lsp and the analysis in ./analysis.

import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node';
import { Analyzer } from './analysis';
import { clientFeatures, registerDynamic, serverCapabilities, type ClientFeatures } from './lsp/capabilities';
import { provideCodeActions, type CodeActionContext } from './lsp/codeActions';
import { describe, DiagnosticsEngine } from './lsp/diagnostics';
import { DocumentStore } from './lsp/documents';
import { InfraDiagnostics, isInfraUri } from './lsp/infraDiagnostics';
import { WorkspaceFolders } from './lsp/folders';
import { ProjectFiles } from './lsp/projectFiles';
import { SETTINGS_SECTION, SettingsStore } from './lsp/settings';
import { WorkspaceIndexer } from './lsp/workspaceIndex';
import { WorkspaceScanner } from './lsp/workspaceScan';
import { Requests, type ScanWorkspaceParams, Names } from './protocol';

interface Services {
  features: ClientFeatures;
  documents: DocumentStore;
  settings: SettingsStore;
  folders: WorkspaceFolders;
  index: WorkspaceIndexer;
  engine: DiagnosticsEngine;
  scanner: WorkspaceScanner;
  codeActions: CodeActionContext;
  infra: InfraDiagnostics;
}

const connection: Connection = createConnection(ProposedFeatures.all);
let services: Services | undefined;

// A bug in one handler must not take the editor's linting down with it: log and carry on.
process.on('uncaughtException', (e) => connection.console.error(`DynamoGuard: uncaught exception: ${describe(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`DynamoGuard: unhandled rejection: ${describe(e)}`));

const isPyproject = (uri: string) => /(^|[/\\])pyproject\.toml$/i.test(uri);

connection.onInitialize(async (params) => {
  const analyzer = await Analyzer.create();
  const features = clientFeatures(params.capabilities);
  const documents = new DocumentStore(analyzer, connection.console);
  const settings = new SettingsStore(connection, features.configuration);
  const options = params.initializationOptions as { settings?: unknown } | undefined;
  if (options?.settings) settings.setPushed(options.settings);
  const folders = new WorkspaceFolders(params);
  const files = new ProjectFiles(settings);
  const index = new WorkspaceIndexer({ connection, analyzer, documents, settings, folders, files });
  const engine = new DiagnosticsEngine(connection, analyzer, documents, settings, index, {
    pull: features.pullDiagnostics,
    refreshSupport: features.diagnosticRefresh,
  });
  index.onDidChange(() => void engine.onWorkspaceChanged());
  const scanner = new WorkspaceScanner({ connection, analyzer, documents, settings, folders, engine, files, index, pull: features.pullDiagnostics });
  const codeActions = { analyzer, engine, documents, console: connection.console, workspace: index, documentChanges: features.documentChanges };
  services = { features, documents, settings, folders, index, engine, scanner, codeActions, infra: new InfraDiagnostics(connection, analyzer) };
  return { capabilities: serverCapabilities(features), serverInfo: { name: Names.diagnosticSource } };
});

connection.onInitialized(() => {
  const s = services!;
  registerDynamic(connection, s.features).catch((e: unknown) =>
    connection.console.warn(`DynamoGuard: dynamic registration failed: ${describe(e)}`),
  );
  if (s.features.workspaceFolders) {
    connection.workspace.onDidChangeWorkspaceFolders((e) => {
      s.folders.onChange(e);
      void s.index.rebuild();
    });
  }
  void s.index.rebuild();
});

connection.onDidOpenTextDocument((params) => {
  const s = services;
  if (s && isInfraUri(params.textDocument.uri)) s.infra.refresh(params.textDocument.uri);
  const doc = s?.documents.open(params);
  if (!s || !doc) return;
  s.scanner.onOpen(doc);
  s.engine.onOpen(doc);
});

connection.onDidChangeTextDocument((params) => {
  const doc = services?.documents.change(params);
  if (doc) services!.engine.onChange(doc);
});

connection.onDidSaveTextDocument((params) => {
  const s = services;
  // A saved template or handler changes what the service's policies grant or need (DG601).
  s?.infra.refresh(params.textDocument.uri);
  const doc = s?.documents.get(params.textDocument.uri);
  if (!s || !doc) return;
  void s.engine.onSave(doc);
  if (doc.path) void s.index.updateFromText(doc.path, doc.text.getText());
});

connection.onDidCloseTextDocument((params) => {
  const s = services;
  const doc = s?.documents.close(params.textDocument.uri);
  if (!s || !doc) return;
  s.engine.onClose(doc.uri);
  s.settings.forgetScope(doc.uri);
  void s.scanner.onClose(doc);
  if (doc.path) void s.index.updateFromDisk(doc.path);
});

connection.onDidChangeConfiguration((params) => {
  const s = services;
  if (!s) return;
  if (!s.features.configuration) {
    s.settings.setPushed((params.settings as Record<string, unknown> | undefined)?.[SETTINGS_SECTION]);
  }
  s.settings.invalidateEditor();
  void s.engine.onSettingsChanged();
  // Summaries depend on settings (auth-function patterns).
  void s.index.rebuild();
});

connection.onDidChangeWatchedFiles((params) => {
  const s = services;
  if (!s) return;
  if (params.changes.some((c) => isPyproject(c.uri))) {
    s.settings.invalidateProjects();
    void s.engine.onSettingsChanged();
    void s.index.rebuild();
  } else {
    void s.index.onFileEvents(params.changes);
  }
});

connection.languages.diagnostics.on((params, token) => {
  if (!services) return { kind: 'full', items: [] };
  return services.engine.pull(params.textDocument.uri, params.previousResultId, token);
});

connection.onCodeAction(async (params) => {
  if (!services) return [];
  // DG601's statement replacement in infrastructure files comes from the infra diagnostics.
  const infra = isInfraUri(params.textDocument.uri) ? services.infra.codeActions(params) : [];
  return [...infra, ...((await provideCodeActions(params, services.codeActions)) ?? [])];
});

connection.onRequest(Requests.scanWorkspace, (params: ScanWorkspaceParams, token) => services!.scanner.scan(params, token));

connection.onShutdown(() => {
  services?.scanner.dispose();
  services?.index.dispose();
  services?.engine.dispose();
  services?.documents.dispose();
});

connection.listen();
