// A minimal LSP client for protocol tests: spawns `node server/out/server.js --stdio`, speaks
// JSON-RPC through vscode-jsonrpc, answers the server's requests (configuration, registration,
// refresh) and records every notification so tests can wait for them without races.

import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';
import { pathToFileURL } from 'url';
import {
  CancellationTokenSource,
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CancellationToken,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  CodeAction,
  Command,
  Diagnostic,
  DocumentDiagnosticReport,
  InitializeResult,
  Range,
  TextDocumentContentChangeEvent,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SERVER_MAIN = path.join(REPO_ROOT, 'server', 'out', 'server.js');

export interface ClientOptions {
  /** Declare `textDocument.diagnostic` (pull diagnostics). Default true. */
  pull?: boolean;
  /** Declare `workspace.diagnostics.refreshSupport`. Default true. */
  refreshSupport?: boolean;
  /** Declare versioned `documentChanges` in WorkspaceEdit. Default true. */
  documentChanges?: boolean;
  /** Workspace folders (absolute paths). */
  folders?: string[];
  /** `dynamoGuard` section answered to workspace/configuration (mutable through `settings`). */
  settings?: Record<string, unknown>;
  /** Declare `workspace.configuration`. Default true. */
  configuration?: boolean;
  /** `initializationOptions` of the initialize request. Default `{}`. */
  initializationOptions?: unknown;
  /** Extra environment variables of the server process. */
  env?: Record<string, string>;
  /** Declare notebook document synchronisation (`notebookDocument.synchronization`). */
  notebooks?: boolean;
}

export interface Received {
  method: string;
  params: any;
}

type Waiter = { method: string; predicate: (params: any) => boolean; resolve: (p: any) => void };

export function fileUri(p: string): string {
  return pathToFileURL(p).toString();
}

export class LspClient {
  readonly received: Received[] = [];
  /** Requests the server sent us, in order. */
  readonly serverRequests: Received[] = [];
  settings: Record<string, unknown>;
  stderr = '';
  private readonly waiters = new Set<Waiter>();
  private exited = false;
  private readonly versions = new Map<string, number>();

  private constructor(
    readonly proc: ChildProcess,
    readonly conn: MessageConnection,
    private readonly options: ClientOptions,
  ) {
    this.settings = { ...(options.settings ?? {}) };
    proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    proc.on('exit', () => (this.exited = true));
    conn.onNotification((method, params) => this.record(method, params));
    conn.onRequest((method, params) => {
      this.serverRequests.push({ method, params });
      this.record(`request:${method}`, params);
      switch (method) {
        case 'workspace/configuration':
          return ((params as { items: unknown[] }).items ?? []).map(() => this.settings);
        case 'workspace/workspaceFolders':
          return null;
        default:
          // client/registerCapability, workspace/diagnostic/refresh, window/showMessageRequest...
          return null;
      }
    });
    conn.listen();
  }

  static async start(options: ClientOptions = {}): Promise<LspClient> {
    const client = LspClient.spawn(options);
    await client.initialize();
    return client;
  }

  /** The server process and connection, before `initialize` (lifecycle tests). */
  static spawn(options: ClientOptions = {}): LspClient {
    const proc = spawn(process.execPath, [SERVER_MAIN, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], cwd: REPO_ROOT, env: { ...process.env, ...options.env } });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    return new LspClient(proc, conn, options);
  }

  /** `initialize` + `initialized`. */
  async initialize(): Promise<InitializeResult> {
    const options = this.options;
    this.initializeResult = await this.conn.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: options.folders?.[0] ? fileUri(options.folders[0]) : null,
      workspaceFolders: options.folders ? options.folders.map((f) => ({ uri: fileUri(f), name: path.basename(f) })) : null,
      capabilities: capabilities(options),
      initializationOptions: options.initializationOptions ?? {},
    });
    await this.conn.sendNotification('initialized', {});
    return this.initializeResult;
  }

  initializeResult!: InitializeResult;

  get alive(): boolean {
    return !this.exited && this.proc.exitCode === null;
  }

  /** Index to pass to `waitFor` so only notifications after this point count. */
  mark(): number {
    return this.received.length;
  }

  /** Resolve with the first `method` notification (from index `since`) that satisfies `predicate`. */
  waitFor<T = any>(method: string, predicate: (params: T) => boolean = () => true, options: { since?: number; timeoutMs?: number } = {}): Promise<T> {
    const since = options.since ?? 0;
    for (let i = since; i < this.received.length; i++) {
      const r = this.received[i]!;
      if (r.method === method && predicate(r.params as T)) return Promise.resolve(r.params as T);
    }
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        method,
        predicate,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p as T);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${method}; stderr: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Notifications of `method` received from index `since`. */
  all<T = any>(method: string, since = 0): T[] {
    return this.received.slice(since).filter((r) => r.method === method).map((r) => r.params as T);
  }

  open(uri: string, text: string, languageId = 'python'): void {
    this.versions.set(uri, 1);
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Send changes; returns the new version. */
  change(uri: string, changes: TextDocumentContentChangeEvent[]): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  save(uri: string): void {
    void this.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  close(uri: string): void {
    this.versions.delete(uri);
    void this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  version(uri: string): number | undefined {
    return this.versions.get(uri);
  }

  /** Change the `dynamoGuard` settings and tell the server (it re-reads via workspace/configuration). */
  async configure(settings: Record<string, unknown>): Promise<void> {
    this.settings = { ...this.settings, ...settings };
    await this.conn.sendNotification('workspace/didChangeConfiguration', { settings: { dynamoGuard: this.settings } });
  }

  pull(uri: string, previousResultId?: string, token?: CancellationToken): Promise<DocumentDiagnosticReport> {
    const params = { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) };
    return token
      ? this.conn.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', params, token)
      : this.conn.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', params);
  }

  /** Pull and return the items of a full report (fails on `unchanged`). */
  async diagnostics(uri: string): Promise<Diagnostic[]> {
    const report = await this.pull(uri);
    if (report.kind !== 'full') throw new Error(`expected a full report, got ${report.kind}`);
    return report.items;
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<Array<CodeAction | Command> | null> {
    return this.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics, ...(only ? { only } : {}) },
    });
  }

  request<R>(method: string, params: unknown, token?: CancellationToken): Promise<R> {
    return token ? this.conn.sendRequest<R>(method, params, token) : this.conn.sendRequest<R>(method, params);
  }

  cancellation(): CancellationTokenSource {
    return new CancellationTokenSource();
  }

  /** shutdown + exit; kills the process if it does not exit on its own. */
  async stop(): Promise<number | null> {
    if (!this.alive) return this.proc.exitCode;
    const exited = new Promise<number | null>((resolve) => this.proc.once('exit', (code) => resolve(code)));
    try {
      await withTimeout(this.conn.sendRequest('shutdown'), 3000);
      await this.conn.sendNotification('exit');
    } catch {
      // fall through to the kill below
    }
    const code = await Promise.race([exited, delay(3000).then(() => 'timeout' as const)]);
    this.conn.dispose();
    if (code === 'timeout') {
      this.proc.kill();
      return null;
    }
    return code;
  }

  private record(method: string, params: unknown): void {
    this.received.push({ method, params });
    for (const w of [...this.waiters]) {
      if (w.method === method && w.predicate(params)) {
        this.waiters.delete(w);
        w.resolve(params);
      }
    }
  }
}

function capabilities(options: ClientOptions): ClientCapabilities {
  const caps: ClientCapabilities = {
    workspace: {
      configuration: options.configuration ?? true,
      workspaceFolders: true,
      didChangeConfiguration: { dynamicRegistration: true },
      didChangeWatchedFiles: { dynamicRegistration: true },
      workspaceEdit: { documentChanges: options.documentChanges ?? true },
      diagnostics: { refreshSupport: options.refreshSupport ?? true },
    },
    textDocument: {
      synchronization: { didSave: true, dynamicRegistration: false },
      publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
      codeAction: {
        codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
        isPreferredSupport: true,
        dataSupport: true,
      },
    },
    window: { workDoneProgress: true },
  };
  if (options.pull ?? true) caps.textDocument!.diagnostic = { dynamicRegistration: false, relatedDocumentSupport: false };
  if (options.notebooks) caps.notebookDocument = { synchronization: { dynamicRegistration: false, executionSummarySupport: false } };
  return caps;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, delay(ms).then(() => Promise.reject(new Error(`timed out after ${ms} ms`)))]);
}

/** Apply LSP text edits (all relative to the original text) the way an editor would. */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const offset = (p: { line: number; character: number }) => {
    if (p.line >= starts.length) return text.length;
    const lineEnd = p.line + 1 < starts.length ? starts[p.line + 1]! - 1 : text.length;
    return Math.min(starts[p.line]! + p.character, lineEnd);
  };
  const sorted = edits.map((e) => ({ s: offset(e.range.start), e: offset(e.range.end), t: e.newText })).sort((a, b) => b.s - a.s || b.e - a.e);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}

/** The TextEdits a WorkspaceEdit makes to `uri` (from `documentChanges` or `changes`), with the version it targets. */
export function editsFor(edit: WorkspaceEdit | undefined, uri: string): { edits: TextEdit[]; version?: number | null } {
  if (!edit) return { edits: [] };
  if (edit.documentChanges) {
    const edits: TextEdit[] = [];
    let version: number | null | undefined;
    for (const change of edit.documentChanges) {
      if ('textDocument' in change && change.textDocument.uri === uri) {
        edits.push(...(change.edits as TextEdit[]));
        version = change.textDocument.version;
      }
    }
    return { edits, version };
  }
  return { edits: edit.changes?.[uri] ?? [] };
}
