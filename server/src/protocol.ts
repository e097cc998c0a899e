// Shared between the language server and the VS Code client: settings shape, custom requests and
// notifications. Types and plain constants only, so both sides can import it without pulling in
// the other's runtime.

export type RunMode = 'onType' | 'onSave';
export type SeverityOverride = 'error' | 'warning' | 'info' | 'hint' | 'off';
/** ruff-vscode's `configurationPreference`: which of editor settings and pyproject.toml wins. */
export type ConfigurationPreference = 'editorFirst' | 'filesystemFirst' | 'editorOnly';
/** The comment "Disable for this line" writes. */
export type DisableCommentStyle = 'dynamo-guard' | 'noqa';

/** `dynamoGuard.*` VS Code settings, mirrored by `[tool.dynamo-guard]` in pyproject.toml. */
export interface DynamoGuardSettings {
  enable: boolean;
  run: RunMode;
  debounceMs: number;
  select: string[];
  ignore: string[];
  /** Added to `select` (when it restricts) and `ignore` by another layer without replacing them. */
  extendSelect: string[];
  extendIgnore: string[];
  /** Rule code, prefix or glob (`DG1*`) -> level; the most specific pattern wins. */
  severity: Record<string, SeverityOverride>;
  /** File glob -> rule codes ignored in matching files. */
  perFileIgnores: Record<string, string[]>;
  exclude: string[];
  authFunctions: string[];
  ownerAttributes: string[];
  sensitiveAttributes: string[];
  publicFields: string[];
  /** Route path or function name globs that are public by design (no DG101/DG102 lookups). */
  publicRoutes: string[];
  maxFileSizeKb: number;
  configurationPreference: ConfigurationPreference;
  disableComment: DisableCommentStyle;
}

/** Names both sides (and any other LSP client) rely on. */
export const Names = {
  /** `workspace/configuration` section and VS Code settings prefix. */
  settingsSection: 'dynamoGuard',
  /** `Diagnostic.source`. */
  diagnosticSource: 'DynamoGuard',
  /** Code action kind of "fix all safe DynamoGuard fixes" (`editor.codeActionsOnSave`). */
  fixAllKind: 'source.fixAll.dynamoGuard',
} as const;

export const Commands = {
  scanWorkspace: 'dynamoGuard.scanWorkspace',
  showDocumentation: 'dynamoGuard.showDocumentation',
  showOutput: 'dynamoGuard.showOutput',
} as const;

export const Requests = {
  /** Client -> server: scan every workspace folder; progress arrives as `scanProgress`. */
  scanWorkspace: 'dynamoGuard/scanWorkspace',
} as const;

export const Notifications = {
  scanProgress: 'dynamoGuard/scanProgress',
  /** Server -> client: counts for the language status item. */
  status: 'dynamoGuard/status',
  /** Client -> server: the workspace trust changed (Restricted Mode limits on or off). */
  trust: 'dynamoGuard/trust',
} as const;

export interface TrustParams {
  trusted: boolean;
}

export interface ScanWorkspaceParams {
  /** Opaque id echoed in progress notifications. */
  id: string;
}

export interface ScanWorkspaceResult {
  files: number;
  findings: number;
  errors: number;
  cancelled: boolean;
  durationMs: number;
}

export interface ScanProgressParams {
  id: string;
  done: number;
  total: number;
  currentFile?: string;
}

export interface StatusParams {
  uri: string;
  findings: number;
  durationMs: number;
  message?: string;
}

/** Custom command argument for "Show documentation for DGxxx". */
export interface ShowDocumentationArgs {
  rule: string;
  /** file:// URI of the bundled markdown page. */
  uri: string;
}

/** One workspace file the browser client read through vscode.workspace.fs. */
export interface WorkspaceFileContent {
  /** file: URI (the browser client maps other schemes to file: URIs; see client/src/browserUris). */
  uri: string;
  text: string;
}

/**
 * `initializationOptions` of the web worker server (vscode.dev, github.dev): a worker has no disk
 * and may run from a blob: URL, so the client says where the extension's assets are and sends
 * the workspace's Python files and pyproject.toml files it could read.
 */
export interface BrowserInitializationOptions {
  settings?: unknown;
  assets: {
    'tree-sitter.wasm': string;
    'tree-sitter-python.wasm': string;
    ruleDocs?: string;
  };
  files?: WorkspaceFileContent[];
}

/** Editor commands answered by the server (Export SARIF, Show debug info). */
export const EditorRequests = {
  /** Client -> server: scan the workspace (as `scanWorkspace`) and return the findings as SARIF 2.1.0. */
  exportSarif: 'dynamoGuard/exportSarif',
  /** Client -> server: versions, settings sources, index state, open documents, timings. */
  debugInfo: 'dynamoGuard/debugInfo',
} as const;

export const EditorCommands = {
  fixAll: 'dynamoGuard.fixAll',
  exportSarif: 'dynamoGuard.exportSarif',
  showDebugInfo: 'dynamoGuard.showDebugInfo',
} as const;

export interface ExportSarifParams extends ScanWorkspaceParams {}

export interface ExportSarifResult extends ScanWorkspaceResult {
  /** The SARIF 2.1.0 log, as the CLI's `--format sarif` writes it. */
  sarif: string;
  /** Directory the SARIF paths are relative to (`%SRCROOT%`). */
  root: string;
}

export interface DebugInfo {
  server: { version: string; runtime: string; platform: string; uptimeMs: number; pid?: number };
  rules: number;
  folders: Array<{
    uri: string;
    /** Where the folder's settings come from: `editor` and/or a pyproject.toml path. */
    sources: string[];
    settings: DynamoGuardSettings;
  }>;
  index: { modules: number; version: number; building: boolean; lastBuildMs?: number };
  documents: Array<{ uri: string; version: number; findings?: number; lastAnalysisMs?: number }>;
  scan?: { lastDurationMs: number; files: number; findings: number };
}
