// DynamoGuard language server (LSP 3.17 over stdio): `node server/out/server.js --stdio`.
// Wiring only; the behaviour lives in ./lsp and the analysis in ./analysis.

import { createConnection, ErrorCodes, ProposedFeatures, ResponseError, type Connection } from 'vscode-languageserver/node';
import { Analyzer } from './analysis';
import { clientFeatures, registerDynamic, serverCapabilities, type ClientFeatures } from './lsp/capabilities';
import { provideCodeActions, type CodeActionContext } from './lsp/codeActions';
import { ConfigDiagnostics, isPyprojectUri } from './lsp/configDiagnostics';
import { describe, DiagnosticsEngine } from './lsp/diagnostics';
import { DocumentStore } from './lsp/documents';
import { InfraDiagnostics, inService, isInfraUri } from './lsp/infraDiagnostics';
import { debugInfo, exportSarif } from './lsp/editorCommands';
import { WorkspaceFolders } from './lsp/folders';
import { Lifecycle, Limits, settingsSection } from './lsp/lifecycle';
import { NotebookSync } from './lsp/notebooks';
import { ProjectFiles } from './lsp/projectFiles';
import { SETTINGS_SECTION, SettingsStore } from './lsp/settings';
import { WorkspaceIndexer } from './lsp/workspaceIndex';
import { WorkspaceScanner } from './lsp/workspaceScan';
import { EditorRequests, Notifications, Requests, type ExportSarifParams, type ScanWorkspaceParams, type TrustParams, Names } from './protocol';

interface Services {
  features: ClientFeatures;
  documents: DocumentStore;
  settings: SettingsStore;
  folders: WorkspaceFolders;
  index: WorkspaceIndexer;
  engine: DiagnosticsEngine;
  scanner: WorkspaceScanner;
  codeActions: CodeActionContext;
  notebooks: NotebookSync;
  config: ConfigDiagnostics;
  infra: InfraDiagnostics;
}

const connection: Connection = createConnection(ProposedFeatures.all);
let services: Services | undefined;
const lifecycle = new Lifecycle();
/** didChangeConfiguration received before initialization ended: applied once services exist. */
let earlySettings: unknown;
const budgetOverride = Number(process.env.DG_TEST_TIME_BUDGET_MS);
const limits = new Limits(true, Number.isFinite(budgetOverride) && budgetOverride > 0 ? budgetOverride : undefined);

// A bug in one handler must not take the editor's linting down with it: log and carry on.
process.on('uncaughtException', (e) => connection.console.error(`DynamoGuard: uncaught exception: ${describe(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`DynamoGuard: unhandled rejection: ${describe(e)}`));

const isPyproject = isPyprojectUri;

connection.onInitialize(async (params) => {
  const analyzer = await Analyzer.create();
  const features = clientFeatures(params.capabilities);
  const documents = new DocumentStore(analyzer, connection.console);
  const settings = new SettingsStore(connection, features.configuration);
  const options = params.initializationOptions as { settings?: unknown; trusted?: unknown } | undefined;
  // Restricted Mode only when the client says so (VS Code sends workspace.isTrusted).
  limits.trusted = options?.trusted !== false;
  settings.limit = (s) => limits.apply(s);
  const pushed = settingsSection(options?.settings, SETTINGS_SECTION) ?? settingsSection(earlySettings, SETTINGS_SECTION);
  if (pushed) settings.setPushed(pushed);
  const folders = new WorkspaceFolders(params);
  const files = new ProjectFiles(settings);
  const index = new WorkspaceIndexer({ connection, analyzer, documents, settings, folders, files });
  const engine = new DiagnosticsEngine(connection, analyzer, documents, settings, index, {
    pull: features.pullDiagnostics,
    refreshSupport: features.diagnosticRefresh,
  }, limits, index);
  index.onDidChange(() => void engine.onWorkspaceChanged());
  const scanner = new WorkspaceScanner({ connection, analyzer, documents, settings, folders, engine, files, index, pull: features.pullDiagnostics });
  const codeActions = { analyzer, engine, documents, console: connection.console, workspace: index, documentChanges: features.documentChanges };
  const notebooks = new NotebookSync(connection, documents, engine, codeActions);
  notebooks.listen();
  const config = new ConfigDiagnostics(connection, features.pullDiagnostics, features.documentChanges);
  settings.onIssues = (file, issues) => config.onDiskIssues(file, issues);
  services = { features, documents, settings, folders, index, engine, scanner, codeActions, notebooks, config, infra: new InfraDiagnostics(connection, analyzer, (root) => documents.all().filter((d) => inService(d.path, root)).forEach((d) => engine.onChange(d))) };
  lifecycle.phase = 'running';
  return { capabilities: serverCapabilities(features), serverInfo: { name: Names.diagnosticSource } };
});

connection.onInitialized(lifecycle.notification(() => {
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
}));

connection.onDidOpenTextDocument(lifecycle.notification((params) => {
  if (isPyprojectUri(params.textDocument.uri)) return services?.config.open(params);
  const s = services;
  if (s && isInfraUri(params.textDocument.uri)) s.infra.didOpen(params);
  const doc = s?.documents.open(params);
  if (!s || !doc) return;
  s.scanner.onOpen(doc);
  s.engine.onOpen(doc);
}));

connection.onDidChangeTextDocument(lifecycle.notification((params) => {
  if (isPyprojectUri(params.textDocument.uri)) return services?.config.change(params);
  if (isInfraUri(params.textDocument.uri)) services?.infra.didChange(params);
  const doc = services?.documents.change(params);
  if (doc) services!.engine.onChange(doc);
}));

connection.onDidSaveTextDocument(lifecycle.notification((params) => {
  const s = services;
  // A saved template or handler changes what the service's policies grant or need (DG601).
  s?.infra.refresh(params.textDocument.uri);
  // Clients without a file watcher (many LSP editors) still re-read the project settings.
  if (s && isPyprojectUri(params.textDocument.uri)) {
    s.settings.invalidateProjects();
    void s.engine.onSettingsChanged();
    return;
  }
  const doc = s?.documents.get(params.textDocument.uri);
  if (!s || !doc) return;
  void s.engine.onSave(doc);
  if (doc.path) void s.index.updateFromText(doc.path, doc.text.getText());
}));

connection.onDidCloseTextDocument(lifecycle.notification((params) => {
  if (isPyprojectUri(params.textDocument.uri)) return services?.config.close(params.textDocument.uri);
  const s = services;
  s?.infra.didClose(params.textDocument.uri);
  const doc = s?.documents.close(params.textDocument.uri);
  if (!s || !doc) return;
  s.engine.onClose(doc.uri);
  s.settings.forgetScope(doc.uri);
  void s.scanner.onClose(doc);
  if (doc.path) void s.index.updateFromDisk(doc.path);
}));

connection.onDidChangeConfiguration((params) => {
  const s = services;
  if (lifecycle.phase === 'shutdown') return;
  if (!s) {
    // Sent before initialization ended (some clients do): not lost, applied at initialize.
    earlySettings = params.settings;
    return;
  }
  const pushed = settingsSection(params.settings, SETTINGS_SECTION);
  if (pushed !== undefined || !s.features.configuration) s.settings.setPushed(pushed);
  s.settings.invalidateEditor();
  void s.engine.onSettingsChanged();
  // Summaries depend on settings (auth-function patterns).
  void s.index.rebuild();
});

connection.onDidChangeWatchedFiles(lifecycle.notification((params) => {
  const s = services;
  if (!s) return;
  if (params.changes.some((c) => isPyproject(c.uri))) {
    s.settings.invalidateProjects();
    void s.engine.onSettingsChanged();
    void s.index.rebuild();
  } else {
    void s.index.onFileEvents(params.changes);
  }
}));

connection.languages.diagnostics.on(lifecycle.request('textDocument/diagnostic', (params, token) => {
  if (!services) return { kind: 'full', items: [] };
  if (isPyprojectUri(params.textDocument.uri)) return services.config.diagnostics(params.textDocument.uri);
  return services.engine.pull(params.textDocument.uri, params.previousResultId, token);
}));

connection.onCodeAction(lifecycle.request('textDocument/codeAction', async (params) => {
  if (!services) return [];
  if (services.notebooks.isCell(params.textDocument.uri)) return services.notebooks.provideCodeActions(params);
  // DG601's statement replacement in infrastructure files comes from the infra diagnostics.
  if (isPyprojectUri(params.textDocument.uri)) return services.config.codeActions(params);
  const infra = isInfraUri(params.textDocument.uri) ? services.infra.codeActions(params) : [];
  return [...infra, ...((await provideCodeActions(params, services.codeActions)) ?? [])];
}));

connection.onRequest(Requests.scanWorkspace, lifecycle.request(Requests.scanWorkspace, (params: ScanWorkspaceParams, token) => services!.scanner.scan(params, token)));

// Any other request: the lifecycle error before initialize / after shutdown, else MethodNotFound.
connection.onRequest((method) => {
  lifecycle.check(method);
  throw new ResponseError(ErrorCodes.MethodNotFound, `unhandled method ${method}`);
});

connection.onNotification(Notifications.trust, lifecycle.notification((params: TrustParams) => {
  const s = services;
  if (!s || limits.trusted === params.trusted) return;
  limits.trusted = params.trusted;
  connection.console.info(`DynamoGuard: workspace ${params.trusted ? 'trusted: configured limits apply' : 'untrusted: Restricted Mode limits apply'}`);
  s.settings.invalidateProjects();
  void s.engine.onSettingsChanged();
  void s.index.rebuild();
}));

connection.onRequest(EditorRequests.exportSarif, lifecycle.request(EditorRequests.exportSarif, (params: ExportSarifParams, token) => exportSarif({ ...services!, analyzer: services!.codeActions.analyzer }, params, token)));
connection.onRequest(EditorRequests.debugInfo, lifecycle.request(EditorRequests.debugInfo, () => debugInfo({ ...services!, analyzer: services!.codeActions.analyzer })));

connection.onShutdown(lifecycle.request('shutdown', () => {
  lifecycle.phase = 'shutdown';
  services?.scanner.dispose();
  services?.index.dispose();
  services?.engine.dispose();
  services?.documents.dispose();
}));

connection.listen();
